// Memory/branch kernel: quicksort (median of three, insertion sort for short runs) of pseudo-random i32s.

function insertionSort(a: usize, lo: i32, hi: i32): void {
  for (let i = lo + 1; i <= hi; i++) {
    const v = load<i32>(a + (<usize>i << 2));
    let j = i - 1;
    while (j >= lo && load<i32>(a + (<usize>j << 2)) > v) {
      store<i32>(a + (<usize>(j + 1) << 2), load<i32>(a + (<usize>j << 2)));
      j--;
    }
    store<i32>(a + (<usize>(j + 1) << 2), v);
  }
}

@inline
function swap(a: usize, i: i32, j: i32): void {
  const p = a + (<usize>i << 2), q = a + (<usize>j << 2);
  const t = load<i32>(p);
  store<i32>(p, load<i32>(q));
  store<i32>(q, t);
}

function quickSort(a: usize, lo: i32, hi: i32): void {
  while (hi - lo > 16) {
    const mid = lo + ((hi - lo) >> 1);
    if (load<i32>(a + (<usize>mid << 2)) < load<i32>(a + (<usize>lo << 2))) swap(a, mid, lo);
    if (load<i32>(a + (<usize>hi << 2)) < load<i32>(a + (<usize>lo << 2))) swap(a, hi, lo);
    if (load<i32>(a + (<usize>hi << 2)) < load<i32>(a + (<usize>mid << 2))) swap(a, hi, mid);
    const pivot = load<i32>(a + (<usize>mid << 2));
    let i = lo, j = hi;
    while (i <= j) {
      while (load<i32>(a + (<usize>i << 2)) < pivot) i++;
      while (load<i32>(a + (<usize>j << 2)) > pivot) j--;
      if (i <= j) { swap(a, i, j); i++; j--; }
    }
    // Recurse into the smaller half so the stack stays logarithmic.
    if (j - lo < hi - i) { quickSort(a, lo, j); lo = i; }
    else { quickSort(a, i, hi); hi = j; }
  }
  insertionSort(a, lo, hi);
}

/** Sorts `n` pseudo-random i32s; returns a position-weighted hash, or -1 if the result is not sorted. */
export function run(n: i32): i32 {
  const a = heap.alloc(<usize>n << 2);
  let seed: u32 = 12345;
  for (let i = 0; i < n; i++) {
    seed = seed * 1103515245 + 12345;
    store<i32>(a + (<usize>i << 2), <i32>(seed >>> 1) - 0x40000000);
  }
  quickSort(a, 0, n - 1);
  let hash: i32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<i32>(a + (<usize>i << 2));
    if (i > 0 && load<i32>(a + (<usize>(i - 1) << 2)) > v) { hash = -1; break; }
    hash = hash * 31 + (v ^ i);
  }
  heap.free(a);
  return hash;
}

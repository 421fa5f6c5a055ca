// The signed-in token lives in sessionStorage only: gone when the tab closes, never in a URL or a cookie, never sent
// anywhere but as the API's bearer header (api.ts).

const KEY = "helios.token";

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

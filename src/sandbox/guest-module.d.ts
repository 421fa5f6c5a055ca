// The Worker Loader hands the isolate the guest as a precompiled module named "guest.wasm".
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

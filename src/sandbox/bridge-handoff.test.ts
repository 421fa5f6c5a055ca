import { describe, expect, it } from "vitest";
import { releaseHandedOffBridge, takeHandoff } from "./bridge-handoff.ts";
import type { HostBridge } from "./host-bridge.ts";
import { createHostContext } from "./host-call.ts";
import type { SandboxSettings } from "./sandbox-settings.ts";

const SETTINGS: SandboxSettings = { functionName: "fn", region: "wnam", profile: ["database"], maxMemoryPages: 1, config: {}, allowedHosts: [] };

/** A stand-in for a bridge stub that records its disposal. */
function stub(name: string, disposed: string[]): HostBridge {
  return { [Symbol.dispose]: () => disposed.push(name) } as unknown as HostBridge;
}

describe("bridge handoffs", () => {
  it("switch to each bridge handed over, disposing every handed-over one it is done with but never the call's own", () => {
    const disposed: string[] = [];
    const first = stub("first", disposed);
    const context = createHostContext(SETTINGS, { fuel: 1, maxResponseBytes: 1 }, first);
    takeHandoff(context, {});
    expect(context.bridge).toBe(first);
    const second = stub("second", disposed);
    takeHandoff(context, { next: second });
    expect(context.bridge).toBe(second);
    expect(disposed).toEqual([]);
    const third = stub("third", disposed);
    takeHandoff(context, { next: third });
    expect(context.bridge).toBe(third);
    expect(disposed).toEqual(["second"]);
    releaseHandedOffBridge(context);
    expect(disposed).toEqual(["second", "third"]);
    expect(context.bridge).toBeNull();
  });

  it("leave the call's own bridge to the platform at the end when nothing was handed over", () => {
    const disposed: string[] = [];
    const context = createHostContext(SETTINGS, { fuel: 1, maxResponseBytes: 1 }, stub("first", disposed));
    releaseHandedOffBridge(context);
    expect(disposed).toEqual([]);
    const none = createHostContext(SETTINGS, { fuel: 1, maxResponseBytes: 1 }, null);
    takeHandoff(none, { next: stub("late", disposed) });
    releaseHandedOffBridge(none);
    expect(disposed).toEqual(["late"]);
  });
});

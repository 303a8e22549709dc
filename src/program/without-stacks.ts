// Declaring the stack's resources without V8's stack traces (docs/adr/0010-registration-stacks.md).
// In the program's folder, not beside the resource classes: the SDK records the frames above a
// resource's declaration in its state (stackTrace), and this function is one of them; the state
// names the program's files, never the resource classes' (test/e2e/state-hygiene.test.ts).
import * as pulumi from "@pulumi/pulumi";

/**
 * Runs `declare` with V8's stack traces turned off, and keeps them off until every resource it
 * returns has registered (its URN is known), unless PULUMI_DEBUG_PROMISE_LEAKS is set.
 *
 * A kind's class (iomResourceClass, src/resources/common/dynamic.ts) turns them off while its
 * constructor runs, but the SDK goes on taking stacks after the constructors have returned: it
 * serialises each nested input value in later microtasks
 * (`serializeProperty`, a debuggable promise per value: a policy's rules are many) and sends a
 * debug log line to the engine before and after each registration (`log.debug`, one more each).
 * All of these are mapped through source maps. In a preview of 1,000 policies they took about 3 s
 * of the program's CPU, about a tenth of it (docs/benchmarks.md, P7). Nothing but the SDK's
 * registration runs in the program meanwhile; its own source-position lookup sets its own limit.
 * If a registration never completes the limit stays at 0 until the process ends, which is then
 * reporting that failure by its message.
 */
export function declareWithoutStacks<T>(
  declare: () => T,
  resourcesOf: (declared: T) => pulumi.Resource[],
): T {
  if (process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) return declare();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let declared: T;
  try {
    declared = declare();
  } catch (error) {
    Error.stackTraceLimit = limit;
    throw error;
  }
  pulumi.all(resourcesOf(declared).map((r) => r.urn)).apply(() => {
    Error.stackTraceLimit = limit;
  });
  return declared;
}

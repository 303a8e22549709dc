// Every fast-check property of this worker uses the run's seed (chosen by fuzz-seed-global.ts).
import fc from "fast-check";

const seed = Number(process.env.FUZZ_SEED);
if (Number.isSafeInteger(seed)) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

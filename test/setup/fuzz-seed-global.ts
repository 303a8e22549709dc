// Chooses the seed of every fast-check property in this run, once, before the workers start:
// FUZZ_SEED when given (to replay a run), a fixed seed under CI (CI=true: a run is reproducible
// and a red CI can be replayed exactly), a random one otherwise (local runs explore). The seed is
// printed, and the workers read it from FUZZ_SEED (test/setup/fuzz-seed.ts).
const CI_SEED = 20_261_202;

export default function setup(): void {
  const given = process.env.FUZZ_SEED;
  const seed =
    given !== undefined && given.trim() !== ""
      ? Number(given)
      : process.env.CI === "true"
        ? CI_SEED
        : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not '${given}'`);
  process.env.FUZZ_SEED = String(seed);
  process.stdout.write(`fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})\n`);
}

// The console's stylesheet, served as /_console/static/console.css. A module rather than a .css
// file so that the TypeScript build carries it into dist/ like the rest of the emulator.
export const CONSOLE_CSS = `
:root {
  --fg: #1b1f24; --muted: #5b6470; --line: #d6dbe1; --card: #ffffff; --bg: #f3f5f7;
  --on: #107c10; --on-bg: #dff6dd; --off: #8a5a00; --off-bg: #fff4ce; --accent: #0f6cbd;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "Segoe UI", system-ui, -apple-system, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 14px 24px; background: #0f3b68; color: #fff; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .meta { color: #cfe0f1; margin: 2px 0 0; }
main { padding: 8px 24px 24px; }
h2 { font-size: 16px; margin: 18px 0 8px; font-weight: 600; }
h2 .count { color: var(--muted); font-weight: 400; }
h3 { font-size: 15px; margin: 0 0 4px; display: flex; gap: 8px; align-items: flex-start; justify-content: space-between; }
h4 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 10px 0 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.card.wide { grid-column: 1 / -1; }
.meta { color: var(--muted); margin: 0 0 4px; }
.empty { color: var(--muted); font-style: italic; margin: 4px 0; }
.problem { color: #a4262c; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #e8eaed; color: var(--muted); white-space: nowrap; font-weight: 600; }
.badge.on { background: var(--on-bg); color: var(--on); }
.badge.off { background: var(--off-bg); color: var(--off); }
ul, ol { margin: 0; padding-left: 20px; }
.connections { list-style: none; padding: 0; }
.connection .row { display: flex; justify-content: space-between; align-items: flex-start; gap: 8px; }
.url { color: var(--muted); font-size: 12px; word-break: break-all; }
.clauses code, .fields code { font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; }
.clauses li::marker { color: var(--muted); }
.rules li { margin-bottom: 6px; }
.rule-name { font-weight: 600; }
.words { margin: 2px 0 0; }
.steps { list-style: none; padding: 0; display: flex; flex-wrap: wrap; align-items: stretch; gap: 0; }
.step { position: relative; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; min-width: 180px; max-width: 320px; background: #fafbfc; margin-right: 34px; margin-bottom: 8px; }
.step + .step::before { content: "\\2192"; position: absolute; left: -28px; top: 50%; transform: translateY(-50%); color: var(--muted); font-size: 18px; }
.step-name { font-weight: 600; }
.tile, .policies { color: var(--muted); font-size: 12px; }
.action { margin-top: 6px; padding: 4px 6px; border-left: 3px solid var(--accent); background: #eef5fc; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
td code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.sign-in { max-width: 520px; margin: 60px auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 20px 24px; }
.sign-in h1 { font-size: 20px; margin-top: 0; }
input { font: inherit; padding: 4px 6px; }
button { font: inherit; padding: 4px 12px; }
`;

/**
 * `pnpm --filter @riskq/sandbox run demo`: the sandbox alone, without riskq — starts it and scores a
 * handful of synthetic transactions through it with the official alipay-sdk, then prints what came
 * back and what it cost. (`pnpm demo` runs the whole system: apps/demo.)
 */
import { API_PATHS, type ScoreResponse } from "@riskq/contracts";
import { generateMerchants, generateTraffic } from "@riskq/synthetic";
import { createSdk, currentAesKey, onboardMerchant, startSandbox } from "@riskq/testing";

const step = (text: string) => process.stdout.write(`\n▶ ${text}\n`);

step("Starting the Alipay AI API sandbox (realistic latency: ~400 ms per call)…");
const sandbox = await startSandbox({ latencyProfile: "realistic" });
try {
  console.log(`  listening on ${sandbox.url} (app id ${sandbox.appId})`);

  step("Onboarding a merchant: one-time auth code → 15-minute app_auth_token…");
  const sdk = createSdk(sandbox);
  const [profile] = generateMerchants({ seed: 7, count: 1 });
  const merchant = await onboardMerchant(sandbox, sdk, profile!.merchant_id);
  console.log(`  merchant ${merchant.merchantId}: token valid for ${merchant.tokens.expires_in} s`);

  step("Fetching the current AES key from the key-management endpoint…");
  const key = await currentAesKey(sdk);
  console.log(`  ${key.key_id}, valid ${key.not_before} → ${key.expires_at}`);

  const traffic = generateTraffic({
    seed: 7,
    merchants: [profile!],
    count: 400,
    start: new Date().toISOString(),
  });
  // A handful of transactions, with the labelled frauds among them so the scores have something to show.
  const frauds = traffic.filter((t) => t.is_fraud).slice(0, 3);
  const sample = [...traffic.filter((t) => !t.is_fraud).slice(0, 7), ...frauds];
  step(`Scoring ${sample.length} synthetic transactions in one encrypted batch/predict call…`);
  const encrypted = createSdk(sandbox, { encryptKey: key.aes_key });
  const started = performance.now();
  const { data } = await encrypted.curl<ScoreResponse>("POST", API_PATHS.batchPredict, {
    body: { task: "card_risk", model_version: "risk-v3-2026-11", items: sample.map((s) => s.item) },
    needEncrypt: true,
    appAuthToken: merchant.appAuthToken,
  });
  const latencyMs = Math.round(performance.now() - started);

  const rows = data.results.map((r) => {
    const labelled = sample.find((s) => s.item.item_id === r.item_id)!;
    return {
      item: r.item_id,
      amount: `${labelled.item.amount} ${labelled.item.currency}`,
      country: labelled.item.country ?? "",
      confidence: r.confidence.toFixed(4),
      level: r.risk_level,
      flagged: r.flagged ? "yes" : "",
      "info codes": r.info_code.join(" "),
      "truly fraud": labelled.is_fraud ? "FRAUD" : "",
    };
  });
  console.table(rows);
  console.log(
    `  model ${data.model_version}, ${data.results.length}/${sample.length} answered in ${latencyMs} ms`,
  );
  console.log(`  billing: ${JSON.stringify(data.billing)}`);

  const ledger = await sandbox.control.ledger();
  step("Sandbox ledger");
  console.log(
    `  calls ${ledger.calls}, items ${ledger.items}, flagged ${ledger.flagged}, cost ${ledger.cost_usd} USD`,
  );
  console.log("\nDone. Next: `pnpm test` runs every test; `pnpm sandbox` keeps a sandbox running on :8787.");
} finally {
  await sandbox.stop();
}

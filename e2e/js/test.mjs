// End-to-end checks of permafrost with the AWS SDK for JavaScript v3
// (@aws-sdk/client-glacier), run by e2e/js_test.go.
//
// Environment:
//   PERMAFROST_ENDPOINT        base URL of a permafrost with no job delay
//   PERMAFROST_SIGNED_ENDPOINT base URL of a permafrost started with
//                              --credentials (optional); its keys are
//                              PERMAFROST_SIGNED_OWNER (KEY:SECRET) and
//                              PERMAFROST_SIGNED_OTHER (KEY:SECRET:ACCOUNT)
//   PERMAFROST_PROFILE         the profile PERMAFROST_ENDPOINT runs: "fast"
//                              (the default) or "aws" (--profile aws: jobs
//                              take AWS's times, DescribeVault, inventories
//                              and DeleteVault follow a daily inventory,
//                              SizeInBytes counts 32 KiB per archive); the
//                              checks wait as a client of AWS must, moving
//                              the emulator's clock where it would sleep
//   PERMAFROST_E2E_ALLOW_BUGS  if set, "BUG:" findings do not fail the run
//
// Every check prints one line: "ok: ...", "FAIL: ..." or "BUG: ...". A
// section that throws is reported as FAIL and the run goes on with the next
// one. The exit status is 1 if anything failed, or if a BUG was found and
// PERMAFROST_E2E_ALLOW_BUGS is unset.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

import {
  AbortMultipartUploadCommand,
  AbortVaultLockCommand,
  AddTagsToVaultCommand,
  CompleteMultipartUploadCommand,
  CompleteVaultLockCommand,
  CreateVaultCommand,
  DeleteArchiveCommand,
  DeleteVaultAccessPolicyCommand,
  DeleteVaultCommand,
  DeleteVaultNotificationsCommand,
  DescribeJobCommand,
  DescribeVaultCommand,
  GetDataRetrievalPolicyCommand,
  GetJobOutputCommand,
  GetVaultAccessPolicyCommand,
  GetVaultLockCommand,
  GetVaultNotificationsCommand,
  GlacierClient,
  GlacierServiceException,
  InitiateJobCommand,
  InitiateMultipartUploadCommand,
  InitiateVaultLockCommand,
  InvalidParameterValueException,
  ListJobsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListProvisionedCapacityCommand,
  ListTagsForVaultCommand,
  ListVaultsCommand,
  PurchaseProvisionedCapacityCommand,
  RemoveTagsFromVaultCommand,
  ResourceNotFoundException,
  SetDataRetrievalPolicyCommand,
  SetVaultAccessPolicyCommand,
  SetVaultNotificationsCommand,
  UploadArchiveCommand,
  UploadMultipartPartCommand,
  paginateListJobs,
  paginateListMultipartUploads,
  paginateListParts,
  paginateListVaults,
  waitUntilVaultExists,
  waitUntilVaultNotExists,
} from "@aws-sdk/client-glacier";

const ENDPOINT = (process.env.PERMAFROST_ENDPOINT ?? "").replace(/\/$/, "");
if (!ENDPOINT) {
  console.error("PERMAFROST_ENDPOINT is not set");
  process.exit(2);
}
const PROFILE = process.env.PERMAFROST_PROFILE || "fast";
if (PROFILE !== "fast" && PROFILE !== "aws") {
  console.error(`PERMAFROST_PROFILE must be fast or aws, not ${PROFILE}`);
  process.exit(2);
}
const AWS = PROFILE === "aws";
const OVERHEAD = 32 * 1024; // what --profile aws adds to SizeInBytes per archive
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const MIB = 1 << 20;

let passed = 0;
const failed = [];
const bugs = [];

function log(line) {
  process.stdout.write(line + "\n");
}

function check(cond, what, detail) {
  if (cond) {
    passed++;
    log("ok: " + what);
  } else {
    failed.push(what);
    log("FAIL: " + what + (detail !== undefined ? " -- " + String(detail) : ""));
  }
  return cond;
}

// same checks deep equality with node's assert and reports it.
function same(got, want, what) {
  try {
    assert.deepStrictEqual(got, want);
    return check(true, what);
  } catch (e) {
    return check(false, what, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

// serverBug records a check of AWS behaviour that failed as a BUG (observed
// vs expected) rather than a FAIL.
function serverBug(cond, what, observed, expected) {
  if (cond) {
    passed++;
    log("ok: " + what);
  } else {
    bugs.push(what);
    log(`BUG: ${what} -- observed ${JSON.stringify(observed)}, expected ${JSON.stringify(expected)}`);
  }
  return cond;
}

// rejects expects the promise to fail with the named service exception.
async function rejects(promise, name, what) {
  try {
    await promise;
    check(false, `${what} fails with ${name}`, "it succeeded");
    return undefined;
  } catch (e) {
    check(e?.name === name, `${what} fails with ${name}`, `got ${e?.name}: ${e?.message}`);
    return e;
  }
}

const client = new GlacierClient({
  endpoint: ENDPOINT,
  region: REGION,
  credentials: { accessKeyId: "x", secretAccessKey: "y" },
  maxAttempts: 2,
});

// deterministic pseudo-random bytes (xorshift32).
function dataOf(seed, n) {
  const b = Buffer.allocUnsafe(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const sha256 = (b) => createHash("sha256").update(b).digest();

// treeHash is the SHA-256 tree hash, written here independently of the SDK.
function treeHashNodes(level) {
  if (level.length === 0) return sha256(Buffer.alloc(0));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? sha256(Buffer.concat([level[i], level[i + 1]])) : level[i]);
    }
    level = next;
  }
  return level[0];
}

function treeHash(b) {
  const leaves = [];
  for (let i = 0; i < b.length; i += MIB) leaves.push(sha256(b.subarray(i, i + MIB)));
  return treeHashNodes(leaves).toString("hex");
}

// The headers of the last request, as the SDK finally sent them.
let lastRequestHeaders = {};
client.middlewareStack.add(
  (next) => async (args) => {
    lastRequestHeaders = { ...(args.request?.headers ?? {}) };
    return next(args);
  },
  { step: "finalizeRequest", priority: "low", name: "permafrostCaptureHeaders" },
);

const vaultArn = (name) => `arn:aws:glacier:${REGION}:${ACCOUNT}:vaults/${name}`;
const send = (cmd) => client.send(cmd);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// emulator calls an endpoint of the emulator (no --credentials).
async function emulator(method, path) {
  const r = await fetch(`${ENDPOINT}/_permafrost/${path}`, { method });
  const body = await r.json();
  if (r.status !== 200) throw new Error(`${method} /_permafrost/${path}: HTTP ${r.status} ${JSON.stringify(body)}`);
  return body;
}

// jobRange is the range of AWS's completion times (ms) --profile aws draws
// a job's time from (docs/behaviour.md, "Profiles and daily inventories").
function jobRange(d) {
  const H = 3600000;
  if (d.Action === "InventoryRetrieval") return [4 * H, 4 * H];
  return { Expedited: [60000, 300000], Bulk: [5 * H, 12 * H] }[d.Tier] ?? [3 * H, 5 * H];
}

// serverNow is the emulator's clock in ms (RFC 3339 with nanoseconds).
async function serverNow() {
  const { now } = await emulator("GET", "clock");
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(now);
  return Date.parse(m[1] + "Z") + (m[2] ? Number("0." + m[2]) * 1000 : 0);
}

// waitJob polls DescribeJob until the job has completed. Against
// --profile aws it does what a client of AWS does, with the emulator's
// clock in place of its sleep: it sleeps until the earliest time AWS gives
// such a job, then in steps of an eighth of AWS's range, never past its
// latest time (past that the server is late, and it waits in real time);
// and it checks that the job took a time in AWS's range.
async function waitJob(vaultName, jobId, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await send(new DescribeJobCommand({ vaultName, jobId }));
    if (d.Completed) {
      if (AWS) {
        const [lo, hi] = jobRange(d);
        const took = Date.parse(d.CompletionDate) - Date.parse(d.CreationDate);
        check(took >= lo - 1 && took <= hi + 1, `aws profile: job ${jobId.slice(0, 8)} (${d.Action} ${d.Tier}) took ${took} ms, in AWS's ${lo}-${hi} ms`, took);
      }
      return d;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not complete: ${JSON.stringify(d)}`);
    if (AWS) {
      const [lo, hi] = jobRange(d);
      const created = Date.parse(d.CreationDate);
      const now = await serverNow();
      const earliest = created + lo;
      const latest = created + hi + 1;
      let step = 0;
      if (now < earliest) step = earliest - now;
      else if (now < latest) step = Math.min(Math.max((hi - lo) / 8, 60000), latest - now);
      if (step > 0) {
        await emulator("POST", `clock/advance?by=${Math.max(1, Math.ceil(step))}ms`);
        continue;
      }
    }
    await sleep(100);
  }
}

// takeInventory does what a client of AWS waits a day for: against
// --profile aws, POST /_permafrost/inventory takes every vault's inventory
// now; with fast's live inventories it must do nothing.
async function takeInventory() {
  const r = await emulator("POST", "inventory");
  if (!AWS) same(r.inventories, 0, "POST /_permafrost/inventory does nothing with live inventories");
}

// vaultFigures checks DescribeVault's NumberOfArchives and SizeInBytes
// against the archives (their sizes) the caller expects shown: the last
// inventory's under aws (32 KiB added to each), the live ones under fast.
async function vaultFigures(vaultName, sizes, what) {
  const d = await send(new DescribeVaultCommand({ vaultName }));
  const want = sizes.reduce((a, b) => a + b, 0) + (AWS ? OVERHEAD * sizes.length : 0);
  same([d.NumberOfArchives, d.SizeInBytes], [sizes.length, want], `${what}: DescribeVault counts ${sizes.length} archives, ${want} bytes`);
  return d;
}

// deleteEmptiedVault deletes a vault whose archives were just deleted:
// under aws DeleteVault fails until the next inventory, which is taken.
async function deleteEmptiedVault(vaultName) {
  if (AWS) {
    const e = await rejects(send(new DeleteVaultCommand({ vaultName })), "InvalidParameterValueException", `aws profile: DeleteVault of ${vaultName} before the next inventory`);
    check(e?.message === `Vault not empty or recently written to: ${vaultArn(vaultName)}`, "aws profile: DeleteVault message", e?.message);
  }
  await takeInventory();
  await vaultFigures(vaultName, [], `${vaultName} emptied, after the inventory`);
  await send(new DeleteVaultCommand({ vaultName }));
}

// pipeToBuffer drains a streamed body by piping it into a writable.
async function pipeToBuffer(body) {
  const chunks = [];
  await pipeline(
    body,
    new Writable({
      write(chunk, _enc, cb) {
        chunks.push(Buffer.from(chunk));
        cb();
      },
    }),
  );
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------- sections

async function vaults() {
  const r = await send(new CreateVaultCommand({ accountId: "-", vaultName: "js-vault" }));
  same(r.$metadata.httpStatusCode, 201, "CreateVault answers 201");
  same(r.location, `/${ACCOUNT}/vaults/js-vault`, "CreateVault location");
  // accountId omitted: the SDK's middleware fills in "-".
  const d = await send(new DescribeVaultCommand({ vaultName: "js-vault" }));
  same(
    [d.VaultName, d.VaultARN, d.NumberOfArchives, d.SizeInBytes],
    ["js-vault", vaultArn("js-vault"), 0, 0],
    "DescribeVault fields",
  );
  check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(d.CreationDate), "DescribeVault CreationDate format", d.CreationDate);
  const list = await send(new ListVaultsCommand({}));
  check(list.VaultList.some((v) => v.VaultName === "js-vault"), "ListVaults lists the vault");
  const e = await rejects(send(new DescribeVaultCommand({ vaultName: "js-missing" })), "ResourceNotFoundException", "DescribeVault of a missing vault");
  if (e) {
    check(e instanceof ResourceNotFoundException && e instanceof GlacierServiceException, "the error is a modelled ResourceNotFoundException");
    same(e.$metadata.httpStatusCode, 404, "missing vault answers 404");
    check(e.message.includes(`Vault not found for ARN: ${vaultArn("js-missing")}`), "missing vault message", e.message);
    same(e.type, "Client", "error type member");
    same(e.code, "ResourceNotFoundException", "error code member");
  }
  // Waiters.
  const w = await waitUntilVaultExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { vaultName: "js-vault" });
  same(w.state, "SUCCESS", "waitUntilVaultExists on an existing vault");
  setTimeout(() => send(new DeleteVaultCommand({ vaultName: "js-vault" })).catch(() => {}), 1200);
  const started = Date.now();
  const w2 = await waitUntilVaultNotExists({ client, maxWaitTime: 15, minDelay: 1, maxDelay: 1 }, { vaultName: "js-vault" });
  same(w2.state, "SUCCESS", "waitUntilVaultNotExists once the vault is deleted");
  check(Date.now() - started >= 1000, "waitUntilVaultNotExists polled until the deletion", Date.now() - started);
}

async function uploadsAndJobs() {
  const vaultName = "js-data";
  await send(new CreateVaultCommand({ vaultName }));
  const archives = [];
  for (const size of [1, MIB, 4 * MIB + 11]) {
    const data = dataOf(size, size);
    // No checksum: the SDK's glacier middleware adds x-amz-sha256-tree-hash
    // and x-amz-content-sha256.
    const r = await send(new UploadArchiveCommand({ vaultName, body: data, archiveDescription: `js ${size} bytes` }));
    same(r.$metadata.httpStatusCode, 201, `UploadArchive of ${size} bytes answers 201`);
    same(
      [lastRequestHeaders["x-amz-sha256-tree-hash"], lastRequestHeaders["x-amz-content-sha256"], lastRequestHeaders["x-amz-glacier-version"]],
      [treeHash(data), sha256(data).toString("hex"), "2012-06-01"],
      `UploadArchive of ${size} bytes: the SDK's middleware sent the tree hash, the linear hash and the API version`,
    );
    same(r.checksum, treeHash(data), `UploadArchive of ${size} bytes: the server's checksum matches the test's tree hash`);
    same(r.archiveId.length, 138, `archive ID of ${size} bytes`);
    archives.push({ id: r.archiveId, data, desc: `js ${size} bytes` });
  }
  await rejects(
    send(new UploadArchiveCommand({ vaultName, body: Buffer.from("abc"), checksum: treeHash(Buffer.from("abd")) })),
    "InvalidParameterValueException",
    "UploadArchive with a wrong checksum",
  );

  const jobIds = [];
  for (const a of archives) {
    const r = await send(new InitiateJobCommand({ vaultName, jobParameters: { Type: "archive-retrieval", ArchiveId: a.id, Description: a.desc } }));
    same(r.$metadata.httpStatusCode, 202, "InitiateJob answers 202");
    same(r.location, `/${ACCOUNT}/vaults/${vaultName}/jobs/${r.jobId}`, "InitiateJob location");
    jobIds.push(r.jobId);
  }
  for (const [i, a] of archives.entries()) {
    const d = await waitJob(vaultName, jobIds[i]);
    same(
      [d.StatusCode, d.Action, d.ArchiveId, d.ArchiveSizeInBytes, d.SHA256TreeHash, d.JobDescription],
      ["Succeeded", "ArchiveRetrieval", a.id, a.data.length, treeHash(a.data), a.desc],
      `DescribeJob of the ${a.data.length}-byte retrieval`,
    );
    const out = await send(new GetJobOutputCommand({ vaultName, jobId: jobIds[i] }));
    const body = Buffer.from(await out.body.transformToByteArray());
    check(body.equals(a.data), `GetJobOutput body (transformToByteArray) of ${a.data.length} bytes matches`);
    same([out.status, out.checksum, out.contentType, out.archiveDescription], [200, treeHash(a.data), "application/octet-stream", a.desc],
      `GetJobOutput metadata of ${a.data.length} bytes`);
  }
  // Streamed by piping, and ranged.
  const big = archives[2];
  const piped = await pipeToBuffer((await send(new GetJobOutputCommand({ vaultName, jobId: jobIds[2] }))).body);
  check(piped.equals(big.data), "GetJobOutput body piped through a stream matches");
  for (const [start, end, aligned] of [[0, MIB - 1, true], [2 * MIB, 4 * MIB - 1, true], [4 * MIB, big.data.length - 1, true], [MIB, 3 * MIB - 1, false], [7, 70, false]]) {
    const out = await send(new GetJobOutputCommand({ vaultName, jobId: jobIds[2], range: `bytes=${start}-${end}` }));
    const body = Buffer.from(await out.body.transformToByteArray());
    const want = big.data.subarray(start, end + 1);
    check(body.equals(want), `ranged GetJobOutput ${start}-${end} bytes`);
    same([out.status, out.contentRange, out.checksum], [206, `bytes ${start}-${end}/${big.data.length}`, aligned ? treeHash(want) : undefined],
      `ranged GetJobOutput ${start}-${end} metadata`);
  }
  // The inventory, once it holds every upload: under aws DescribeVault
  // shows no inventory before it.
  const sizes = archives.map((a) => a.data.length);
  if (AWS) {
    const d = await vaultFigures(vaultName, [], "aws profile: before the first inventory");
    same(d.LastInventoryDate ?? null, null, "aws profile: no LastInventoryDate before the first inventory");
  } else {
    await vaultFigures(vaultName, sizes, "after the uploads");
  }
  await takeInventory();
  const dv = await vaultFigures(vaultName, sizes, "after the inventory");
  check(dv.LastInventoryDate instanceof Date || typeof dv.LastInventoryDate === "string", "LastInventoryDate is set once the archives are inventoried", dv.LastInventoryDate);
  const listed = (await send(new ListVaultsCommand({}))).VaultList.filter((v) => v.VaultName === vaultName);
  same(listed.map((v) => [v.NumberOfArchives, v.SizeInBytes]), [[dv.NumberOfArchives, dv.SizeInBytes]], "ListVaults shows the figures of DescribeVault");
  const inv = (await send(new InitiateJobCommand({ vaultName, jobParameters: { Type: "inventory-retrieval", Format: "JSON" } }))).jobId;
  await waitJob(vaultName, inv);
  const invOut = await send(new GetJobOutputCommand({ vaultName, jobId: inv }));
  const doc = JSON.parse(await invOut.body.transformToString());
  same(
    doc.ArchiveList.map((a) => [a.ArchiveId, a.Size, a.SHA256TreeHash, a.ArchiveDescription]).sort(),
    archives.map((a) => [a.id, a.data.length, treeHash(a.data), a.desc]).sort(),
    "JSON inventory lists the archives",
  );
  same(invOut.checksum, undefined, "inventory output has no checksum");
  await rejects(send(new DescribeJobCommand({ vaultName, jobId: "NOSUCHJOB" })), "ResourceNotFoundException", "DescribeJob of a missing job");

  // ListJobs paginator, small pages.
  const pages = [];
  for await (const page of paginateListJobs({ client, pageSize: 2 }, { vaultName })) pages.push(page);
  same(pages.map((p) => p.JobList.length), [2, 2], "paginateListJobs pages of 2");
  same(pages.flatMap((p) => p.JobList.map((j) => j.JobId)), [...jobIds, inv], "paginateListJobs yields the jobs in initiation order");
  const e = await rejects(send(new ListJobsCommand({ vaultName, statuscode: "finished" })), "InvalidParameterValueException", "ListJobs with a bad statuscode");
  if (e) check(e instanceof InvalidParameterValueException, "the error is a modelled InvalidParameterValueException");

  for (const a of archives) await send(new DeleteArchiveCommand({ vaultName, archiveId: a.id }));
  await vaultFigures(vaultName, AWS ? sizes : [], "after deleting every archive");
  await deleteEmptiedVault(vaultName);
}

async function multipart() {
  const vaultName = "js-multipart";
  await send(new CreateVaultCommand({ vaultName }));
  const partSize = MIB;
  const data = dataOf(77, 5 * MIB + 999);
  const init = await send(new InitiateMultipartUploadCommand({ vaultName, partSize: String(partSize), archiveDescription: "js multipart" }));
  same(init.$metadata.httpStatusCode, 201, "InitiateMultipartUpload answers 201");
  const uploadId = init.uploadId;
  same(init.location, `/${ACCOUNT}/vaults/${vaultName}/multipart-uploads/${uploadId}`, "InitiateMultipartUpload location");
  const partHashes = [];
  const starts = [];
  for (let s = 0; s < data.length; s += partSize) starts.push(s);
  // Parts are sent concurrently, each with the checksum the test computes.
  await Promise.all(
    starts.map(async (s, i) => {
      const chunk = data.subarray(s, s + partSize);
      partHashes[i] = sha256Tree(chunk);
      const r = await send(new UploadMultipartPartCommand({
        vaultName, uploadId, range: `bytes ${s}-${s + chunk.length - 1}/*`, checksum: partHashes[i].toString("hex"), body: chunk,
      }));
      same(r.checksum, partHashes[i].toString("hex"), `UploadMultipartPart ${i} checksum`);
    }),
  );
  await rejects(
    send(new UploadMultipartPartCommand({ vaultName, uploadId, range: `bytes 0-${partSize - 1}/*`, checksum: partHashes[1].toString("hex"), body: data.subarray(0, partSize) })),
    "InvalidParameterValueException",
    "UploadMultipartPart with a checksum of other bytes",
  );
  const ups = await send(new ListMultipartUploadsCommand({ vaultName }));
  same(ups.UploadsList.map((u) => [u.MultipartUploadId, u.PartSizeInBytes, u.ArchiveDescription]), [[uploadId, partSize, "js multipart"]], "ListMultipartUploads");
  const pages = [];
  for await (const p of paginateListParts({ client, pageSize: 4 }, { vaultName, uploadId })) pages.push(p);
  same(pages.map((p) => p.Parts.length), [4, 2], "paginateListParts pages of 4");
  same(pages.flatMap((p) => p.Parts.map((x) => x.SHA256TreeHash)), partHashes.map((h) => h.toString("hex")), "paginateListParts tree hashes in range order");
  // The archive's tree hash is the tree of the parts' tree hashes.
  const whole = treeHashNodes(partHashes).toString("hex");
  same(whole, treeHash(data), "tree of the part hashes is the archive's tree hash");
  const done = await send(new CompleteMultipartUploadCommand({ vaultName, uploadId, archiveSize: String(data.length), checksum: whole }));
  same(done.$metadata.httpStatusCode, 201, "CompleteMultipartUpload answers 201");
  same(done.checksum, whole, "CompleteMultipartUpload checksum");
  await rejects(send(new ListPartsCommand({ vaultName, uploadId })), "ResourceNotFoundException", "ListParts after completion");

  const job = (await send(new InitiateJobCommand({ vaultName, jobParameters: { Type: "archive-retrieval", ArchiveId: done.archiveId, RetrievalByteRange: `${MIB}-${3 * MIB - 1}` } }))).jobId;
  const d = await waitJob(vaultName, job);
  same(d.RetrievalByteRange, `${MIB}-${3 * MIB - 1}`, "ranged job RetrievalByteRange");
  same(d.ArchiveSHA256TreeHash, whole, "ranged job ArchiveSHA256TreeHash");
  // 1 MiB..3 MiB is MiB aligned but not tree-hash aligned: no checksum.
  check(d.SHA256TreeHash == null, "ranged job (not tree-hash aligned) has no SHA256TreeHash", d.SHA256TreeHash);
  const out = await send(new GetJobOutputCommand({ vaultName, jobId: job }));
  const body = Buffer.from(await out.body.transformToByteArray());
  check(body.equals(data.subarray(MIB, 3 * MIB)), "ranged retrieval of the multipart archive returns its bytes");
  same(out.checksum, undefined, "output of a range that is not tree-hash aligned has no checksum");

  // Aborted uploads, and the ListMultipartUploads paginator.
  const extra = [];
  for (let i = 0; i < 5; i++) extra.push((await send(new InitiateMultipartUploadCommand({ vaultName, partSize: String(2 * MIB) }))).uploadId);
  const upPages = [];
  for await (const p of paginateListMultipartUploads({ client, pageSize: 2 }, { vaultName })) upPages.push(p);
  same(upPages.map((p) => p.UploadsList.length), [2, 2, 1], "paginateListMultipartUploads pages of 2");
  same(upPages.flatMap((p) => p.UploadsList.map((u) => u.MultipartUploadId)).sort(), [...extra].sort(), "paginateListMultipartUploads yields each upload once");
  for (const id of extra) await send(new AbortMultipartUploadCommand({ vaultName, uploadId: id }));
  same((await send(new ListMultipartUploadsCommand({ vaultName }))).UploadsList, [], "no uploads left after aborting");
  await send(new DeleteArchiveCommand({ vaultName, archiveId: done.archiveId }));
  await deleteEmptiedVault(vaultName);
}

function sha256Tree(b) {
  const leaves = [];
  for (let i = 0; i < b.length; i += MIB) leaves.push(sha256(b.subarray(i, i + MIB)));
  return treeHashNodes(leaves);
}

async function tagsLockAndConfig() {
  const vaultName = "js-config";
  await send(new CreateVaultCommand({ vaultName }));
  same((await send(new ListTagsForVaultCommand({ vaultName }))).Tags, {}, "ListTagsForVault of an untagged vault");
  same((await send(new AddTagsToVaultCommand({ vaultName, Tags: { a: "1", b: "2", c: "" } }))).$metadata.httpStatusCode, 204, "AddTagsToVault answers 204");
  same((await send(new ListTagsForVaultCommand({ vaultName }))).Tags, { a: "1", b: "2", c: "" }, "tags after add");
  await send(new AddTagsToVaultCommand({ vaultName, Tags: { a: "one" } }));
  await send(new RemoveTagsFromVaultCommand({ vaultName, TagKeys: ["b", "zz"] }));
  same((await send(new ListTagsForVaultCommand({ vaultName }))).Tags, { a: "one", c: "" }, "tags after overwrite and remove");
  const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]));
  await rejects(send(new AddTagsToVaultCommand({ vaultName, Tags: many })), "InvalidParameterValueException", "AddTagsToVault with 11 tags in one request");
  // Unicode letters are allowed in keys and values.
  await send(new AddTagsToVaultCommand({ vaultName, Tags: { "clé": "valeur é", "名前": "値" } }));
  const uni = (await send(new ListTagsForVaultCommand({ vaultName }))).Tags;
  same([uni["clé"], uni["名前"]], ["valeur é", "値"], "Unicode tags round-trip");
  await send(new RemoveTagsFromVaultCommand({ vaultName, TagKeys: ["clé", "名前"] }));
  // 50 tags per vault: the vault has 2, add 48 more, then one too many.
  for (let i = 0; i < 48; i += 10) {
    const batch = Object.fromEntries(Array.from({ length: Math.min(10, 48 - i) }, (_, j) => [`t${i + j}`, "v"]));
    await send(new AddTagsToVaultCommand({ vaultName, Tags: batch }));
  }
  same(Object.keys((await send(new ListTagsForVaultCommand({ vaultName }))).Tags).length, 50, "a vault holds 50 tags");
  await rejects(send(new AddTagsToVaultCommand({ vaultName, Tags: { oneTooMany: "v" } })), "LimitExceededException", "the 51st tag");
  await send(new AddTagsToVaultCommand({ vaultName, Tags: { a: "overwrite is fine at the limit" } }));

  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "deny-delete", Principal: "*", Effect: "Deny", Action: "glacier:DeleteArchive", Resource: vaultArn(vaultName) }],
  });
  await rejects(send(new GetVaultLockCommand({ vaultName })), "ResourceNotFoundException", "GetVaultLock with no lock");
  const lock = await send(new InitiateVaultLockCommand({ vaultName, policy: { Policy: policy } }));
  same(lock.$metadata.httpStatusCode, 201, "InitiateVaultLock answers 201");
  check(typeof lock.lockId === "string" && lock.lockId.length > 0, "InitiateVaultLock lockId", lock.lockId);
  const got = await send(new GetVaultLockCommand({ vaultName }));
  same([got.State, got.Policy], ["InProgress", policy], "GetVaultLock while in progress");
  await rejects(send(new InitiateVaultLockCommand({ vaultName, policy: { Policy: policy } })), "AccessDeniedException", "InitiateVaultLock while in progress");
  await send(new AbortVaultLockCommand({ vaultName }));
  await rejects(send(new GetVaultLockCommand({ vaultName })), "ResourceNotFoundException", "GetVaultLock after abort");
  const lock2 = await send(new InitiateVaultLockCommand({ vaultName, policy: { Policy: policy } }));
  const kept = (await send(new UploadArchiveCommand({ vaultName, body: Buffer.from("locked in") }))).archiveId;
  await rejects(send(new DeleteArchiveCommand({ vaultName, archiveId: kept })), "AccessDeniedException", "DeleteArchive denied by an in-progress vault lock policy");
  await send(new CompleteVaultLockCommand({ vaultName, lockId: lock2.lockId }));
  same((await send(new GetVaultLockCommand({ vaultName }))).State, "Locked", "GetVaultLock after complete");
  await rejects(send(new AbortVaultLockCommand({ vaultName })), "AccessDeniedException", "AbortVaultLock of a locked vault");
  await rejects(send(new DeleteArchiveCommand({ vaultName, archiveId: kept })), "AccessDeniedException", "DeleteArchive denied by the locked vault policy");

  await send(new SetVaultAccessPolicyCommand({ vaultName, policy: { Policy: policy.replace("Deny", "Allow") } }));
  same((await send(new GetVaultAccessPolicyCommand({ vaultName }))).policy?.Policy, policy.replace("Deny", "Allow"), "vault access policy round-trip");
  await send(new DeleteVaultAccessPolicyCommand({ vaultName }));
  await rejects(send(new GetVaultAccessPolicyCommand({ vaultName })), "ResourceNotFoundException", "GetVaultAccessPolicy after delete");

  const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:js-topic`;
  await send(new SetVaultNotificationsCommand({ vaultName, vaultNotificationConfig: { SNSTopic: topic, Events: ["InventoryRetrievalCompleted"] } }));
  same((await send(new GetVaultNotificationsCommand({ vaultName }))).vaultNotificationConfig, { SNSTopic: topic, Events: ["InventoryRetrievalCompleted"] }, "vault notifications round-trip");
  await send(new DeleteVaultNotificationsCommand({ vaultName }));
  await rejects(send(new GetVaultNotificationsCommand({ vaultName })), "ResourceNotFoundException", "GetVaultNotifications after delete");

  same((await send(new GetDataRetrievalPolicyCommand({}))).Policy, { Rules: [{ Strategy: "None" }] }, "default data retrieval policy");
  await send(new SetDataRetrievalPolicyCommand({ Policy: { Rules: [{ Strategy: "BytesPerHour", BytesPerHour: 1 << 30 }] } }));
  same((await send(new GetDataRetrievalPolicyCommand({}))).Policy, { Rules: [{ Strategy: "BytesPerHour", BytesPerHour: 1 << 30 }] }, "data retrieval policy round-trip");
  await send(new SetDataRetrievalPolicyCommand({ Policy: { Rules: [{ Strategy: "None" }] } }));
  const cap = await send(new PurchaseProvisionedCapacityCommand({}));
  same(cap.$metadata.httpStatusCode, 201, "PurchaseProvisionedCapacity answers 201");
  const caps = (await send(new ListProvisionedCapacityCommand({}))).ProvisionedCapacityList;
  same(caps.map((c) => c.CapacityId), [cap.capacityId], "ListProvisionedCapacity lists the unit");
  // The locked vault keeps its archive, so it cannot be deleted.
  const e = await rejects(send(new DeleteVaultCommand({ vaultName })), "InvalidParameterValueException", "DeleteVault of a vault with an archive");
  if (e) check(e.message.includes(`Vault not empty or recently written to: ${vaultArn(vaultName)}`), "DeleteVault of a non-empty vault: message", e.message);
}

async function vaultPaginator() {
  const names = Array.from({ length: 9 }, (_, i) => `js-page-${String(i).padStart(2, "0")}`);
  for (const n of names) await send(new CreateVaultCommand({ vaultName: n }));
  const pages = [];
  for await (const p of paginateListVaults({ client, pageSize: 4 }, {})) pages.push(p);
  check(pages.every((p) => p.VaultList.length <= 4), "paginateListVaults pages hold at most pageSize vaults");
  const got = pages.flatMap((p) => p.VaultList.map((v) => v.VaultName));
  same(got.filter((n) => n.startsWith("js-page-")), names, "paginateListVaults yields each vault once, in order");
  same(new Set(got).size, got.length, "paginateListVaults: no duplicates");
  check(pages.at(-1).Marker == null, "last ListVaults page has no Marker", pages.at(-1).Marker);
  await rejects(send(new ListVaultsCommand({ limit: 0 })), "InvalidParameterValueException", "ListVaults with limit 0");
  for (const n of names) await send(new DeleteVaultCommand({ vaultName: n }));
}

// signatures runs against a server started with --credentials: the SDK's
// SigV4 signatures (with the payload hash of uploads) must verify.
async function signatures() {
  const endpoint = (process.env.PERMAFROST_SIGNED_ENDPOINT ?? "").replace(/\/$/, "");
  if (!endpoint) {
    log("note: PERMAFROST_SIGNED_ENDPOINT unset; the signatures section is not run");
    return;
  }
  const [okey, osecret] = process.env.PERMAFROST_SIGNED_OWNER.split(":");
  const [xkey, xsecret] = process.env.PERMAFROST_SIGNED_OTHER.split(":");
  const signed = (accessKeyId, secretAccessKey) =>
    new GlacierClient({ endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  const owner = signed(okey, osecret);
  const vaultName = "js-signed";
  try {
    await owner.send(new CreateVaultCommand({ vaultName }));
    const data = dataOf(99, 2 * MIB + 1);
    const up = await owner.send(new UploadArchiveCommand({ vaultName, body: data }));
    same(up.checksum, treeHash(data), "signed UploadArchive");
    const uploadId = (await owner.send(new InitiateMultipartUploadCommand({ vaultName, partSize: String(MIB) }))).uploadId;
    const part = await owner.send(new UploadMultipartPartCommand({ vaultName, uploadId, range: `bytes 0-${MIB - 1}/*`, body: data.subarray(0, MIB) }));
    same(part.checksum, treeHash(data.subarray(0, MIB)), "signed UploadMultipartPart (checksum from the SDK's middleware)");
    await owner.send(new AbortMultipartUploadCommand({ vaultName, uploadId }));
    check((await owner.send(new ListVaultsCommand({}))).VaultList.some((v) => v.VaultName === vaultName), "signed ListVaults");
    const bad = signed(okey, "not-the-secret");
    const e = await rejects(bad.send(new DescribeVaultCommand({ vaultName })), "InvalidSignatureException", "a wrong secret");
    if (e) same(e.$metadata.httpStatusCode, 403, "a wrong signature answers 403");
    await rejects(bad.send(new UploadArchiveCommand({ vaultName, body: Buffer.from("x") })), "InvalidSignatureException", "an upload signed with a wrong secret");
    await rejects(signed("AKIDNOBODY", "x").send(new ListVaultsCommand({})), "UnrecognizedClientException", "an unknown access key");
    const other = signed(xkey, xsecret);
    await rejects(other.send(new DescribeVaultCommand({ accountId: ACCOUNT, vaultName })), "AccessDeniedException", "another account without an access policy");
    await owner.send(new DeleteArchiveCommand({ vaultName, archiveId: up.archiveId }));
    await owner.send(new DeleteVaultCommand({ vaultName }));
  } finally {
    owner.destroy();
  }
}

// awsProfile adds to the aws run what the sections above do not: an
// inventory retrieval before the first inventory, the first inventory
// taken by the clock a day after the upload, and how many inventories POST
// /_permafrost/inventory takes then.
async function awsProfile() {
  if (!AWS) {
    log("note: PERMAFROST_PROFILE is not aws; the aws-profile section is not run");
    return;
  }
  const c = client;
  const vaultName = "js-aws";
  {
    await c.send(new CreateVaultCommand({ vaultName }));
    const data = dataOf(99, 3 * MIB + 1);
    const { archiveId } = await c.send(new UploadArchiveCommand({ vaultName, body: data }));
    let d = await c.send(new DescribeVaultCommand({ vaultName }));
    same([d.NumberOfArchives, d.SizeInBytes, d.LastInventoryDate ?? null], [0, 0, null], "aws profile: DescribeVault before the first inventory");
    await rejects(c.send(new InitiateJobCommand({ vaultName, jobParameters: { Type: "inventory-retrieval" } })), "ResourceNotFoundException",
      "aws profile: inventory retrieval before the first inventory");

    const { jobId } = await c.send(new InitiateJobCommand({ vaultName, jobParameters: { Type: "archive-retrieval", ArchiveId: archiveId, Tier: "Expedited" } }));
    const job = await waitJob(vaultName, jobId); // checks the 1-5 minutes
    same(job.StatusCode, "Succeeded", "aws profile: the Expedited job succeeds");
    const out = await c.send(new GetJobOutputCommand({ vaultName, jobId }));
    check(Buffer.compare(await pipeToBuffer(out.body), data) === 0, "aws profile: the job output is the archive");

    // A day after the upload: the first inventory.
    await emulator("POST", "clock/advance?by=24h");
    d = await c.send(new DescribeVaultCommand({ vaultName }));
    same([d.NumberOfArchives, d.SizeInBytes], [1, data.length + 32 * 1024], "aws profile: DescribeVault after the first inventory counts 32 KiB per archive");
    check(typeof d.LastInventoryDate === "string", "aws profile: LastInventoryDate is set", d.LastInventoryDate);

    await c.send(new DeleteArchiveCommand({ vaultName, archiveId }));
    const e = await rejects(c.send(new DeleteVaultCommand({ vaultName })), "InvalidParameterValueException", "aws profile: DeleteVault right after deleting every archive");
    check(e?.message === `Vault not empty or recently written to: ${vaultArn(vaultName)}`, "aws profile: DeleteVault message", e?.message);
    const r = await emulator("POST", "inventory");
    same(r.inventories, 1, "aws profile: POST /_permafrost/inventory takes one inventory");
    d = await c.send(new DescribeVaultCommand({ vaultName }));
    same(d.NumberOfArchives, 0, "aws profile: the new inventory is empty");
    await c.send(new DeleteVaultCommand({ vaultName }));
    check(true, "aws profile: DeleteVault succeeds after the inventory");
  }
}

// faults: a throttled UploadArchive (ThrottlingException for the next 2
// calls, /_permafrost/faults) is retried by the SDK's standard retry
// strategy and stored once.
async function faults() {
  const vaultName = "js-faults";
  const retrying = new GlacierClient({ endpoint: ENDPOINT, region: REGION, credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 3 });
  await send(new CreateVaultCommand({ vaultName }));
  const r = await fetch(`${ENDPOINT}/_permafrost/faults`, {
    method: "POST",
    body: JSON.stringify({ operations: ["UploadArchive"], vault: vaultName, count: 2, effect: { error: { preset: "ThrottlingException" } } }),
  });
  const rule = await r.json();
  same(r.status, 201, "POST /_permafrost/faults answers 201");
  const data = dataOf(77, 300 * 1024);
  const up = await retrying.send(new UploadArchiveCommand({ vaultName, body: data }));
  same(up.$metadata.attempts, 3, "the SDK retried the throttled upload twice");
  same(up.checksum, treeHash(data), "the retried upload's tree hash");
  const got = await (await fetch(`${ENDPOINT}/_permafrost/faults/${rule.id}`)).json();
  same(got.fired, 2, "the rule fired twice");
  retrying.destroy();
  await send(new DeleteArchiveCommand({ vaultName, archiveId: up.archiveId }));
  await fetch(`${ENDPOINT}/_permafrost/faults/${rule.id}`, { method: "DELETE" });
  await deleteEmptiedVault(vaultName);
}

const SECTIONS = { vaults, uploadsAndJobs, multipart, tagsLockAndConfig, vaultPaginator, awsProfile, signatures, faults };

async function main() {
  let pkg = {};
  try {
    pkg = JSON.parse(await readFile(new URL("./node_modules/@aws-sdk/client-glacier/package.json", import.meta.url), "utf8"));
  } catch {
    // the version is only informative
  }
  log(`@aws-sdk/client-glacier ${pkg.version ?? "?"}, node ${process.version}, endpoint ${ENDPOINT}`);
  const only = process.argv.slice(2);
  for (const [name, fn] of Object.entries(SECTIONS)) {
    if (only.length && !only.includes(name)) continue;
    log("== " + name);
    const started = Date.now();
    try {
      await fn();
    } catch (e) {
      failed.push(name + " threw");
      log(`FAIL: ${name} threw: ${e?.stack ?? e}`);
    }
    log(`-- ${name} took ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  const allow = (process.env.PERMAFROST_E2E_ALLOW_BUGS ?? "") !== "";
  log(`js suite: ${passed} checks passed, ${failed.length} failed, ${bugs.length} server bugs${bugs.length && allow ? " (allowed)" : ""}`);
  for (const f of failed) log("  failed: " + f);
  for (const b of bugs) log("  BUG: " + b);
  client.destroy();
  process.exitCode = failed.length || (bugs.length && !allow) ? 1 : 0;
}

await main();

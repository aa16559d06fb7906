#!/usr/bin/env python3
"""End-to-end checks of permafrost with boto3, run by e2e/boto3_test.go.

Environment:
  PERMAFROST_ENDPOINT          base URL of a permafrost with no job delay
  PERMAFROST_DELAYED_ENDPOINT  base URL of a permafrost started with
                               --job-delay Standard=1h and
                               --expedited-capacity provisioned (optional)
  PERMAFROST_SIGNED_ENDPOINT   base URL of a permafrost started with
                               --credentials (optional), whose keys are
                               PERMAFROST_SIGNED_OWNER (KEY:SECRET, the
                               default account) and PERMAFROST_SIGNED_OTHER
                               (KEY:SECRET:ACCOUNT)
  PERMAFROST_PROFILE           the profile PERMAFROST_ENDPOINT runs: "fast"
                               (the default) or "aws" (--profile aws: jobs
                               take AWS's times, DescribeVault, inventories
                               and DeleteVault follow a daily inventory,
                               SizeInBytes counts 32 KiB per archive); the
                               checks wait as a client of AWS must, moving
                               the emulator's clock where it would sleep
  PERMAFROST_E2E_ALLOW_BUGS    if set, "BUG:" findings do not fail the run

Every check prints one line: "ok: ...", "FAIL: ..." or "BUG: ...". A
section that raises is reported as FAIL and the run goes on with the next
one. The exit status is 1 if anything failed, or if a BUG was found and
PERMAFROST_E2E_ALLOW_BUGS is unset.
"""

import hashlib
import io
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError
from botocore.utils import calculate_tree_hash

ENDPOINT = os.environ["PERMAFROST_ENDPOINT"].rstrip("/")
DELAYED = os.environ.get("PERMAFROST_DELAYED_ENDPOINT", "").rstrip("/")
SIGNED = os.environ.get("PERMAFROST_SIGNED_ENDPOINT", "").rstrip("/")
PROFILE = os.environ.get("PERMAFROST_PROFILE", "fast")
if PROFILE not in ("fast", "aws"):
    sys.exit("PERMAFROST_PROFILE must be fast or aws, not %r" % PROFILE)
AWS = PROFILE == "aws"
OVERHEAD = 32 * 1024  # what --profile aws adds to SizeInBytes per archive
ACCOUNT = "123456789012"
REGION = "us-east-1"
MIB = 1 << 20

passed = 0
failed = []
bugs = []


def log(line):
    print(line, flush=True)


def check(cond, what, detail=""):
    """Records one check; returns cond."""
    global passed
    if cond:
        passed += 1
        log("ok: " + what)
    else:
        failed.append(what)
        log("FAIL: " + what + (" -- " + str(detail) if detail != "" else ""))
    return cond


def equal(got, want, what):
    return check(got == want, what, "got %r, want %r" % (got, want))


def server_bug(cond, what, observed, expected):
    """A check of the server's AWS behaviour that is known to be fragile:
    a failure is reported as a BUG (observed vs expected) rather than FAIL."""
    global passed
    if cond:
        passed += 1
        log("ok: " + what)
    else:
        bugs.append(what)
        log("BUG: %s -- observed %s, expected %s" % (what, observed, expected))
    return cond


def expect_error(code, fn, *args, **kwargs):
    """Calls fn, which must raise a ClientError with the given code."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response.get("Error", {}).get("Code")
        check(got == code, "%s raises %s" % (fn.__name__, code), "got %s: %s" % (got, e))
        return e
    check(False, "%s raises %s" % (fn.__name__, code), "it succeeded")
    return None


def session_kwargs(endpoint):
    return dict(
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(connect_timeout=10, read_timeout=120, retries={"max_attempts": 2, "mode": "standard"}),
    )


def new_client(endpoint=ENDPOINT):
    return boto3.client("glacier", **session_kwargs(endpoint))


def new_resource(endpoint=ENDPOINT):
    return boto3.resource("glacier", **session_kwargs(endpoint))


def data_of(seed, n):
    return random.Random(seed).randbytes(n)


def tree_hash(data):
    """The SHA-256 tree hash, written here independently of botocore."""
    level = [hashlib.sha256(data[i:i + MIB]).digest() for i in range(0, len(data), MIB)]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nxt.append(hashlib.sha256(level[i] + level[i + 1]).digest())
            else:
                nxt.append(level[i])
        level = nxt
    return level[0].hex()


def botocore_tree_hash(data):
    return calculate_tree_hash(io.BytesIO(data))


def vault_arn(name):
    return "arn:aws:glacier:%s:%s:vaults/%s" % (REGION, ACCOUNT, name)


def job_range(d):
    """The range of AWS's completion times (seconds) --profile aws draws a
    job's time from (docs/behaviour.md, "Profiles and daily inventories")."""
    if d["Action"] == "InventoryRetrieval":
        return 4 * 3600, 4 * 3600
    return {"Expedited": (60, 300), "Bulk": (5 * 3600, 12 * 3600)}.get(d.get("Tier"), (3 * 3600, 5 * 3600))


def server_now(endpoint=ENDPOINT):
    _, clock = emulator(endpoint, "GET", "/_permafrost/clock")
    return _iso(clock["now"])


def advance(seconds, endpoint=ENDPOINT):
    """Moves the emulator's clock on by seconds (rounded up to the ms)."""
    ms = max(1, -int(-seconds * 1000 // 1))
    emulator(endpoint, "POST", "/_permafrost/clock/advance?by=%dms" % ms)


def wait_job(c, vault, job_id, timeout=60, endpoint=ENDPOINT, aws=None):
    """Polls DescribeJob until the job has completed. Against --profile aws
    it does what a client of AWS does, with the emulator's clock in place of
    its sleep: it sleeps until the earliest time AWS gives such a job, then
    in steps of an eighth of AWS's range, never past its latest time (past
    that the server is late, and it waits in real time); and it checks that
    the job took a time in AWS's range."""
    aws = AWS if aws is None else aws
    deadline = time.time() + timeout
    while True:
        d = c.describe_job(vaultName=vault, jobId=job_id)
        if d["Completed"]:
            if aws:
                lo, hi = job_range(d)
                took = _iso(d["CompletionDate"]) - _iso(d["CreationDate"])
                check(lo - 0.001 <= took <= hi + 0.001, "aws profile: job %s (%s %s) took %ss, in AWS's %s-%ss" % (
                    job_id[:8], d["Action"], d.get("Tier"), took, lo, hi), took)
            return d
        if time.time() > deadline:
            raise AssertionError("job %s did not complete within %ss: %r" % (job_id, timeout, d))
        if aws:
            lo, hi = job_range(d)
            created, now = _iso(d["CreationDate"]), server_now(endpoint)
            earliest, latest = created + lo, created + hi + 0.001
            if now < earliest:
                advance(earliest - now, endpoint)
                continue
            if now < latest:
                advance(min(max((hi - lo) / 8, 60), latest - now), endpoint)
                continue
        time.sleep(0.1)


def take_inventory():
    """What a client of AWS waits a day for: against --profile aws, POST
    /_permafrost/inventory takes every vault's inventory now; with fast's
    live inventories it must do nothing."""
    status, out = emulator(ENDPOINT, "POST", "/_permafrost/inventory")
    if not AWS:
        equal((status, out["inventories"]), (200, 0), "POST /_permafrost/inventory does nothing with live inventories")


def vault_figures(c, vault, sizes, what):
    """Checks DescribeVault's NumberOfArchives and SizeInBytes against the
    archives the caller expects shown: the last inventory's under aws (32
    KiB added to each), the live ones under fast."""
    d = c.describe_vault(vaultName=vault)
    want = sum(sizes) + (OVERHEAD * len(sizes) if AWS else 0)
    equal((d["NumberOfArchives"], d["SizeInBytes"]), (len(sizes), want), "%s: DescribeVault counts %d archives, %d bytes" % (what, len(sizes), want))
    return d


def delete_emptied_vault(c, vault):
    """Deletes a vault whose archives were just deleted: under aws
    DeleteVault fails until the next inventory, which is then taken."""
    if AWS:
        e = expect_error("InvalidParameterValueException", c.delete_vault, vaultName=vault)
        if e:
            check("Vault not empty or recently written to: " + vault_arn(vault) in str(e),
                  "aws profile: DeleteVault of %s before the next inventory: message" % vault, str(e))
    take_inventory()
    vault_figures(c, vault, [], "%s emptied, after the inventory" % vault)
    c.delete_vault(vaultName=vault)


def empty_vault(c, vault):
    """Deletes every archive of a vault (found by an inventory) and the vault."""
    take_inventory()
    job = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval"})["jobId"]
    wait_job(c, vault, job)
    inv = json.loads(c.get_job_output(vaultName=vault, jobId=job)["body"].read())
    for a in inv["ArchiveList"]:
        c.delete_archive(vaultName=vault, archiveId=a["ArchiveId"])
    for u in c.list_multipart_uploads(vaultName=vault)["UploadsList"]:
        c.abort_multipart_upload(vaultName=vault, uploadId=u["MultipartUploadId"])
    delete_emptied_vault(c, vault)


def emulator(endpoint, method, path):
    req = urllib.request.Request(endpoint + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def fault_rule(endpoint, method, path, rule=None):
    """Sends a /_permafrost/faults request with a JSON body."""
    body = json.dumps(rule).encode() if rule is not None else None
    req = urllib.request.Request(endpoint + "/_permafrost/" + path, method=method, data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def section_faults():
    """RequestTimeoutException on the second part: a client that does not
    retry sees it, lists the parts stored, sends the missing ones and
    completes with the right tree hash."""
    c = boto3.client("glacier", **dict(session_kwargs(ENDPOINT), config=Config(retries={"total_max_attempts": 1, "mode": "standard"})))
    vault = "py-faults"
    c.create_vault(vaultName=vault)
    rule = fault_rule(ENDPOINT, "POST", "faults", {"operations": ["UploadMultipartPart"], "vault": vault, "nth": 2,
                                                   "effect": {"error": {"preset": "RequestTimeoutException", "consumeBody": True}}})
    part = MIB
    data = data_of(21, 4 * part + 99)
    uid = c.initiate_multipart_upload(vaultName=vault, partSize=str(part))["uploadId"]
    timed_out = []
    for start in range(0, len(data), part):
        chunk = data[start:start + part]
        try:
            c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %d-%d/*" % (start, start + len(chunk) - 1), body=chunk)
        except ClientError as e:
            equal(e.response["Error"]["Code"], "RequestTimeoutException", "the injected part error's code")
            equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 408, "RequestTimeoutException is a 408")
            timed_out.append(start)
    equal(timed_out, [part], "only the second part timed out")
    # Resume: whatever ListParts does not show is sent again.
    have = {p["RangeInBytes"] for p in c.list_parts(vaultName=vault, uploadId=uid)["Parts"]}
    for start in range(0, len(data), part):
        chunk = data[start:start + part]
        rng = "%d-%d" % (start, start + len(chunk) - 1)
        if rng not in have:
            c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %s/*" % rng, body=chunk)
    done = c.complete_multipart_upload(vaultName=vault, uploadId=uid, archiveSize=str(len(data)), checksum=tree_hash(data))
    equal(done["checksum"], tree_hash(data), "the resumed upload completes with the archive's tree hash")
    log_entries = fault_rule(ENDPOINT, "GET", "faults/log")
    check(any(e["rule"] == rule["id"] and e["operation"] == "UploadMultipartPart" for e in log_entries),
          "the fault log shows the part's timeout")
    fault_rule(ENDPOINT, "DELETE", "faults/" + rule["id"])
    c.delete_archive(vaultName=vault, archiveId=done["archiveId"])
    delete_emptied_vault(c, vault)


# ---------------------------------------------------------------- sections

def section_client_vaults():
    c = new_client()
    r = c.create_vault(vaultName="py-basic")
    equal(r["ResponseMetadata"]["HTTPStatusCode"], 201, "CreateVault answers 201")
    equal(r["location"], "/%s/vaults/py-basic" % ACCOUNT, "CreateVault location")
    check(r["ResponseMetadata"]["RequestId"] != "", "responses carry x-amzn-RequestId")
    d = c.describe_vault(vaultName="py-basic")
    equal(d["VaultName"], "py-basic", "DescribeVault VaultName")
    equal(d["VaultARN"], vault_arn("py-basic"), "DescribeVault VaultARN")
    equal((d.get("NumberOfArchives"), d.get("SizeInBytes")), (0, 0), "DescribeVault of a new vault counts 0/0")
    headers = d["ResponseMetadata"]["HTTPHeaders"]
    equal(headers.get("content-type"), "application/json", "DescribeVault Content-Type")
    check(headers.get("date", "").endswith(" GMT"), "responses carry an RFC 1123 Date header", headers.get("date"))
    names = [v["VaultName"] for v in c.list_vaults()["VaultList"]]
    check("py-basic" in names, "ListVaults lists the new vault", names)
    # An explicit numeric account ID is the caller's own account.
    equal(c.describe_vault(accountId=ACCOUNT, vaultName="py-basic")["VaultName"], "py-basic", "DescribeVault with the numeric account ID")
    expect_error("AccessDeniedException", c.create_vault, accountId="210987654321", vaultName="py-other-account")
    # Regions are separate namespaces, taken from the SigV4 credential scope.
    eu = boto3.client("glacier", **dict(session_kwargs(ENDPOINT), region_name="eu-west-1"))
    eu.create_vault(vaultName="py-basic-eu")
    equal(eu.describe_vault(vaultName="py-basic-eu")["VaultARN"], "arn:aws:glacier:eu-west-1:%s:vaults/py-basic-eu" % ACCOUNT,
          "a vault created in eu-west-1 has an eu-west-1 ARN")
    expect_error("ResourceNotFoundException", c.describe_vault, vaultName="py-basic-eu")
    eu.delete_vault(vaultName="py-basic-eu")
    e = expect_error("ResourceNotFoundException", c.describe_vault, vaultName="py-missing")
    if e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 404, "missing vault answers 404")
        check("Vault not found for ARN: " + vault_arn("py-missing") in str(e), "missing vault message names the ARN", str(e))
    try:
        c.describe_vault(vaultName="py-missing")
        check(False, "modelled exception class c.exceptions.ResourceNotFoundException is raised")
    except c.exceptions.ResourceNotFoundException:
        check(True, "modelled exception class c.exceptions.ResourceNotFoundException is raised")
    expect_error("InvalidParameterValueException", c.create_vault, vaultName="no spaces allowed")
    # Config operations through boto3 as well.
    c.add_tags_to_vault(vaultName="py-basic", Tags={"owner": "py", "tier": ""})
    equal(c.list_tags_for_vault(vaultName="py-basic")["Tags"], {"owner": "py", "tier": ""}, "tags round-trip")
    c.remove_tags_from_vault(vaultName="py-basic", TagKeys=["tier"])
    equal(c.list_tags_for_vault(vaultName="py-basic")["Tags"], {"owner": "py"}, "RemoveTagsFromVault")
    pol = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                      "Action": "glacier:DescribeVault", "Resource": vault_arn("py-basic")}]})
    c.set_vault_access_policy(vaultName="py-basic", policy={"Policy": pol})
    equal(c.get_vault_access_policy(vaultName="py-basic")["policy"]["Policy"], pol, "vault access policy round-trip")
    c.delete_vault_access_policy(vaultName="py-basic")
    lock = c.initiate_vault_lock(vaultName="py-basic", policy={"Policy": pol.replace("Allow", "Deny").replace("DescribeVault", "DeleteArchive")})
    check(len(lock["lockId"]) > 0, "InitiateVaultLock returns a lockId")
    equal(c.get_vault_lock(vaultName="py-basic")["State"], "InProgress", "GetVaultLock State InProgress")
    c.abort_vault_lock(vaultName="py-basic")
    expect_error("ResourceNotFoundException", c.get_vault_lock, vaultName="py-basic")
    rules = c.get_data_retrieval_policy()["Policy"]["Rules"]
    equal([r["Strategy"] for r in rules], ["None"], "default data retrieval policy")
    cap = c.list_provisioned_capacity()["ProvisionedCapacityList"]
    equal(cap, [], "no provisioned capacity at first")
    c.delete_vault(vaultName="py-basic")
    expect_error("ResourceNotFoundException", c.describe_vault, vaultName="py-basic")


def section_uploads_and_jobs():
    c = new_client()
    vault = "py-uploads"
    c.create_vault(vaultName=vault)
    archives = {}
    for size in (1, MIB, 5 * MIB + 3):
        data = data_of(size, size)
        own = tree_hash(data)
        equal(botocore_tree_hash(data), own, "botocore and the test agree on the tree hash of %d bytes" % size)
        # No checksum argument: botocore computes x-amz-sha256-tree-hash and
        # x-amz-content-sha256 itself.
        r = c.upload_archive(vaultName=vault, archiveDescription="py %d bytes" % size, body=data)
        equal(r["ResponseMetadata"]["HTTPStatusCode"], 201, "UploadArchive of %d bytes answers 201" % size)
        equal(r["checksum"], own, "UploadArchive of %d bytes returns the tree hash" % size)
        equal(len(r["archiveId"]), 138, "archive ID of %d bytes is 138 characters" % size)
        equal(r["location"], "/%s/vaults/%s/archives/%s" % (ACCOUNT, vault, r["archiveId"]), "UploadArchive location")
        archives[size] = (r["archiveId"], data)

    # A seekable file object, as boto3 users often pass.
    with tempfile.TemporaryFile() as f:
        data = data_of(7, 2 * MIB + 1)
        f.write(data)
        f.seek(0)
        r = c.upload_archive(vaultName=vault, body=f)
        equal(r["checksum"], tree_hash(data), "UploadArchive from a file object returns the tree hash")
        archives["file"] = (r["archiveId"], data)

    tricky = 'has, a comma and a "quote"'
    r = c.upload_archive(vaultName=vault, body=b"csv", archiveDescription=tricky)
    archives["csv"] = (r["archiveId"], b"csv")
    try:
        c.upload_archive(vaultName=vault, body=b"")
        check(False, "UploadArchive of 0 bytes is refused")
    except ClientError as e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "UploadArchive of 0 bytes is refused with 400")
    try:
        # Go's HTTP server itself refuses a header with a control character
        # (a plain-text 400): any 400 will do here.
        c.upload_archive(vaultName=vault, body=b"x", archiveDescription="del\x7fchar")
        check(False, "UploadArchive with a DEL in the description is refused")
    except ClientError as e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "UploadArchive with a DEL in the description is refused with 400")
    expect_error("InvalidParameterValueException", c.upload_archive, vaultName=vault, body=b"x", archiveDescription="d" * 1025)
    e = expect_error("InvalidParameterValueException", c.upload_archive, vaultName=vault, body=b"abc",
                     checksum=tree_hash(b"abd"))
    if e:
        check("Checksum mismatch" in str(e), "tree-hash mismatch message", str(e))

    # Retrieve every archive and compare its bytes and checksums.
    jobs = {}
    for key, (aid, data) in archives.items():
        jobs[key] = c.initiate_job(vaultName=vault, jobParameters={
            "Type": "archive-retrieval", "ArchiveId": aid, "Description": "py get %s" % key})["jobId"]
    for key, (aid, data) in archives.items():
        d = wait_job(c, vault, jobs[key])
        equal(d["StatusCode"], "Succeeded", "job %s Succeeded" % key)
        equal(d["ArchiveSizeInBytes"], len(data), "job %s ArchiveSizeInBytes" % key)
        equal(d["SHA256TreeHash"], tree_hash(data), "job %s SHA256TreeHash" % key)
        equal(d["RetrievalByteRange"], "0-%d" % (len(data) - 1), "job %s RetrievalByteRange" % key)
        out = c.get_job_output(vaultName=vault, jobId=jobs[key])
        body = out["body"].read()
        check(body == data, "job %s output bytes match the upload (%d bytes)" % (key, len(data)), "%d bytes" % len(body))
        equal(out["checksum"], tree_hash(data), "job %s output checksum" % key)
        equal(out["status"], 200, "job %s output status" % key)

    aid, data = archives[5 * MIB + 3]
    job = jobs[5 * MIB + 3]
    for start, end, aligned in ((0, MIB - 1, True), (4 * MIB, len(data) - 1, True), (MIB, 3 * MIB - 1, False), (5, 10, False)):
        out = c.get_job_output(vaultName=vault, jobId=job, range="bytes=%d-%d" % (start, end))
        body = out["body"].read()
        want = data[start:end + 1]
        check(body == want, "ranged output %d-%d bytes match" % (start, end))
        equal(out["status"], 206, "ranged output %d-%d status" % (start, end))
        equal(out.get("contentRange"), "bytes %d-%d/%d" % (start, end, len(data)), "ranged output %d-%d Content-Range" % (start, end))
        equal(out.get("checksum"), tree_hash(want) if aligned else None, "ranged output %d-%d checksum" % (start, end))

    # The open and suffix forms of Range.
    for rng, want in (("bytes=%d-" % (5 * MIB), data[5 * MIB:]), ("bytes=-2", data[-2:])):
        out = c.get_job_output(vaultName=vault, jobId=job, range=rng)
        check(out["body"].read() == want, "GetJobOutput with range %s" % rng)
        equal(out.get("contentRange"), "bytes %d-%d/%d" % (len(data) - len(want), len(data) - 1, len(data)),
              "GetJobOutput with range %s: Content-Range" % rng)

    # A MiB-aligned retrieval range.
    rng = "%d-%d" % (2 * MIB, 4 * MIB - 1)
    rj = c.initiate_job(vaultName=vault, jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "RetrievalByteRange": rng})["jobId"]
    d = wait_job(c, vault, rj)
    equal(d["RetrievalByteRange"], rng, "ranged job RetrievalByteRange")
    equal(d["SHA256TreeHash"], tree_hash(data[2 * MIB:4 * MIB]), "ranged job SHA256TreeHash")
    body = c.get_job_output(vaultName=vault, jobId=rj)["body"].read()
    check(body == data[2 * MIB:4 * MIB], "ranged job output bytes")
    expect_error("InvalidParameterValueException", c.initiate_job, vaultName=vault,
                 jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "RetrievalByteRange": "0-1000"})
    expect_error("ResourceNotFoundException", c.initiate_job, vaultName=vault,
                 jobParameters={"Type": "archive-retrieval", "ArchiveId": "A" * 138})
    expect_error("InvalidParameterValueException", c.initiate_job, vaultName=vault,
                 jobParameters={"Type": "inventory-retrieval", "ArchiveId": aid})
    expect_error("InvalidParameterValueException", c.initiate_job, vaultName=vault,
                 jobParameters={"Type": "inventory-retrieval", "RetrievalByteRange": "0-1048575"})
    expect_error("InvalidParameterValueException", c.initiate_job, vaultName=vault,
                 jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "Tier": "Fastest"})
    expect_error("InvalidParameterValueException", c.list_jobs, vaultName=vault, statuscode="finished")

    # Inventory in both formats, once the vault's inventory holds every
    # upload: under aws DescribeVault shows no inventory before it.
    sizes = [len(d) for _, d in archives.values()]
    if AWS:
        d = vault_figures(c, vault, [], "aws profile: before the first inventory")
        equal(d.get("LastInventoryDate"), None, "aws profile: no LastInventoryDate before the first inventory")
    else:
        vault_figures(c, vault, sizes, "after the uploads")
    take_inventory()
    d = vault_figures(c, vault, sizes, "after the inventory")
    check(d.get("LastInventoryDate") is not None, "LastInventoryDate is set once the archives are inventoried", d)
    listed = [(v["NumberOfArchives"], v["SizeInBytes"]) for v in c.list_vaults()["VaultList"] if v["VaultName"] == vault]
    equal(listed, [(d["NumberOfArchives"], d["SizeInBytes"])], "ListVaults shows the figures of DescribeVault")
    inv_job = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval", "Format": "JSON"})["jobId"]
    csv_job = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval", "Format": "CSV"})["jobId"]
    wait_job(c, vault, inv_job)
    wait_job(c, vault, csv_job)
    out = c.get_job_output(vaultName=vault, jobId=inv_job)
    equal(out["contentType"], "application/json", "JSON inventory content type")
    inv = json.loads(out["body"].read())
    got = {a["ArchiveId"]: (a["Size"], a["SHA256TreeHash"]) for a in inv["ArchiveList"]}
    want = {aid: (len(d), tree_hash(d)) for aid, d in archives.values()}
    equal(got, want, "JSON inventory lists every archive with size and tree hash")
    out = c.get_job_output(vaultName=vault, jobId=csv_job)
    equal(out["contentType"], "text/csv", "CSV inventory content type")
    lines = out["body"].read().decode().splitlines()
    equal(lines[0], "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash", "CSV inventory header")
    equal(len(lines) - 1, len(archives), "CSV inventory rows")
    csv_row = [l for l in lines if l.startswith(archives["csv"][0] + ",")]
    check(len(csv_row) == 1 and csv_row[0].startswith(archives["csv"][0] + ',"has, a comma and a \\"quote\\"",'),
          "CSV inventory quotes a description with a comma and escapes its quotes as \\\"", csv_row)
    json_desc = [a["ArchiveDescription"] for a in inv["ArchiveList"] if a["ArchiveId"] == archives["csv"][0]]
    equal(json_desc, [tricky], "JSON inventory keeps the description as given")

    for aid, _ in archives.values():
        c.delete_archive(vaultName=vault, archiveId=aid)
    vault_figures(c, vault, sizes if AWS else [], "after deleting every archive")
    delete_emptied_vault(c, vault)


def section_multipart_client():
    c = new_client()
    vault = "py-multipart"
    c.create_vault(vaultName=vault)
    part = 2 * MIB
    data = data_of(11, 3 * part + 4321)
    up = c.initiate_multipart_upload(vaultName=vault, partSize=str(part), archiveDescription="py client multipart")
    uid = up["uploadId"]
    equal(up["ResponseMetadata"]["HTTPStatusCode"], 201, "InitiateMultipartUpload answers 201")
    for start in range(0, len(data), part):
        chunk = data[start:start + part]
        # botocore computes the part's tree hash and linear hash.
        r = c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %d-%d/*" % (start, start + len(chunk) - 1), body=chunk)
        equal(r["checksum"], tree_hash(chunk), "UploadMultipartPart at %d returns the part's tree hash" % start)
    expect_error("InvalidParameterValueException", c.upload_multipart_part, vaultName=vault, uploadId=uid,
                 range="bytes %d-%d/*" % (MIB, MIB + part - 1), body=data[MIB:MIB + part])
    expect_error("InvalidParameterValueException", c.upload_multipart_part, vaultName=vault, uploadId=uid,
                 range="bytes 0-%d/*" % (2 * part - 1), body=data[:2 * part])
    lp = c.list_parts(vaultName=vault, uploadId=uid)
    equal([p["RangeInBytes"] for p in lp["Parts"]],
          ["%d-%d" % (s, min(s + part, len(data)) - 1) for s in range(0, len(data), part)], "ListParts ranges")
    equal(lp["PartSizeInBytes"], part, "ListParts PartSizeInBytes")
    equal(lp["ArchiveDescription"], "py client multipart", "ListParts ArchiveDescription")
    expect_error("InvalidParameterValueException", c.complete_multipart_upload, vaultName=vault, uploadId=uid,
                 archiveSize=str(len(data) + 1), checksum=tree_hash(data))
    done = c.complete_multipart_upload(vaultName=vault, uploadId=uid, archiveSize=str(len(data)),
                                       checksum=botocore_tree_hash(data))
    equal(done["checksum"], tree_hash(data), "CompleteMultipartUpload returns the archive's tree hash")
    again = c.complete_multipart_upload(vaultName=vault, uploadId=uid, archiveSize=str(len(data)),
                                        checksum=botocore_tree_hash(data))
    server_bug(again.get("archiveId") == done["archiveId"], "CompleteMultipartUpload repeated returns the same archive ID",
               again.get("archiveId"), done["archiveId"])
    expect_error("ResourceNotFoundException", c.abort_multipart_upload, vaultName=vault, uploadId=uid)

    # A gap in the parts makes Complete fail; the upload stays usable.
    gap = c.initiate_multipart_upload(vaultName=vault, partSize=str(MIB), archiveDescription="   leading spaces")["uploadId"]
    equal(c.list_parts(vaultName=vault, uploadId=gap).get("ArchiveDescription"), "leading spaces",
          "InitiateMultipartUpload strips the description's leading spaces")
    gdata = data_of(12, 3 * MIB)
    for i in (0, 2):
        c.upload_multipart_part(vaultName=vault, uploadId=gap, range="bytes %d-%d/*" % (i * MIB, (i + 1) * MIB - 1),
                                body=gdata[i * MIB:(i + 1) * MIB])
    expect_error("InvalidParameterValueException", c.complete_multipart_upload, vaultName=vault, uploadId=gap,
                 archiveSize=str(len(gdata)), checksum=tree_hash(gdata))
    c.upload_multipart_part(vaultName=vault, uploadId=gap, range="bytes %d-%d/*" % (MIB, 2 * MIB - 1), body=gdata[MIB:2 * MIB])
    gdone = c.complete_multipart_upload(vaultName=vault, uploadId=gap, archiveSize=str(len(gdata)), checksum=tree_hash(gdata))
    equal(gdone["checksum"], tree_hash(gdata), "CompleteMultipartUpload after filling the gap")
    c.delete_archive(vaultName=vault, archiveId=gdone["archiveId"])

    job = c.initiate_job(vaultName=vault, jobParameters={"Type": "archive-retrieval", "ArchiveId": done["archiveId"]})["jobId"]
    wait_job(c, vault, job)
    out = c.get_job_output(vaultName=vault, jobId=job)
    check(out["body"].read() == data, "multipart archive reads back byte for byte")
    equal(out.get("archiveDescription"), "py client multipart", "GetJobOutput archiveDescription")
    c.delete_archive(vaultName=vault, archiveId=done["archiveId"])
    delete_emptied_vault(c, vault)


def section_resources():
    g = new_resource()
    c = g.meta.client
    account = g.Account("-")
    vault = account.create_vault(vaultName="py-res")
    equal(type(vault).__name__, "glacier.Vault", "Account.create_vault returns a Vault")
    equal((vault.account_id, vault.name), ("-", "py-res"), "Vault identifiers")
    vault.load()
    equal(vault.vault_arn, vault_arn("py-res"), "Vault.vault_arn")
    equal(vault.number_of_archives, 0, "Vault.number_of_archives")
    check(isinstance(vault.creation_date, str) and vault.creation_date.endswith("Z"), "Vault.creation_date", vault.creation_date)
    check("py-res" in [v.name for v in account.vaults.all()], "Account.vaults lists the vault")
    check("py-res" in [v.name for v in g.vaults.all()], "service vaults collection lists the vault")
    other = g.create_vault(accountId="-", vaultName="py-res-2")
    equal(other.name, "py-res-2", "service create_vault returns a Vault")
    other.delete()
    expect_error("ResourceNotFoundException", c.describe_vault, vaultName="py-res-2")

    # Archive resource.
    data = data_of(21, MIB + 17)
    archive = vault.upload_archive(archiveDescription="py resource", body=data)
    equal(len(archive.id), 138, "Vault.upload_archive returns an Archive with an ID")
    equal(archive.vault_name, "py-res", "Archive.vault_name")
    job = archive.initiate_archive_retrieval()
    equal(job.vault_name, "py-res", "Archive.initiate_archive_retrieval returns a Job")
    wait_job(c, "py-res", job.id)
    job.reload()
    equal(job.completed, True, "Job.completed after polling")
    equal(job.status_code, "Succeeded", "Job.status_code after polling")
    equal(job.action, "ArchiveRetrieval", "Job.action")
    equal(job.archive_id, archive.id, "Job.archive_id")
    equal(job.archive_size_in_bytes, len(data), "Job.archive_size_in_bytes")
    equal(job.sha256_tree_hash, tree_hash(data), "Job.sha256_tree_hash")
    out = job.get_output()
    check(out["body"].read() == data, "Job.get_output body matches")
    equal(out["checksum"], tree_hash(data), "Job.get_output checksum")
    part = job.get_output(range="bytes=%d-%d" % (MIB, MIB + 16))
    check(part["body"].read() == data[MIB:], "Job.get_output with a range")

    take_inventory()
    vault.reload()
    equal((vault.number_of_archives, vault.size_in_bytes), (1, len(data) + (OVERHEAD if AWS else 0)),
          "Vault.number_of_archives and size_in_bytes after the inventory")
    inv = vault.initiate_inventory_retrieval()
    wait_job(c, "py-res", inv.id)
    inv.reload()
    equal(inv.action, "InventoryRetrieval", "Vault.initiate_inventory_retrieval returns a Job")
    body = json.loads(inv.get_output()["body"].read())
    equal([a["ArchiveId"] for a in body["ArchiveList"]], [archive.id], "inventory via the Job resource")

    ids = sorted(j.id for j in vault.jobs.all())
    equal(ids, sorted([job.id, inv.id]), "Vault.jobs")
    equal(sorted(j.id for j in vault.succeeded_jobs.all()), ids, "Vault.succeeded_jobs")
    equal(sorted(j.id for j in vault.completed_jobs.all()), ids, "Vault.completed_jobs")
    equal(list(vault.jobs_in_progress.all()), [], "Vault.jobs_in_progress")
    equal(list(vault.failed_jobs.all()), [], "Vault.failed_jobs")
    equal(vault.Job(job.id).status_code, "Succeeded", "Vault.Job(id) loads lazily")

    # MultipartUpload resource.
    mdata = data_of(22, 3 * MIB + 100)
    mpu = vault.initiate_multipart_upload(partSize=str(MIB), archiveDescription="py resource multipart")
    check(len(mpu.id) > 0, "Vault.initiate_multipart_upload returns a MultipartUpload")
    listed = list(vault.multipart_uploads.all())
    equal([u.id for u in listed], [mpu.id], "Vault.multipart_uploads")
    equal(listed[0].part_size_in_bytes, MIB, "MultipartUpload.part_size_in_bytes")
    equal(listed[0].archive_description, "py resource multipart", "MultipartUpload.archive_description")
    for start in range(0, len(mdata), MIB):
        chunk = mdata[start:start + MIB]
        r = mpu.upload_part(range="bytes %d-%d/*" % (start, start + len(chunk) - 1), body=chunk)
        equal(r["checksum"], tree_hash(chunk), "MultipartUpload.upload_part at %d" % start)
    parts = mpu.parts()
    equal(len(parts["Parts"]), 4, "MultipartUpload.parts")
    done = mpu.complete(archiveSize=str(len(mdata)), checksum=calculate_tree_hash(io.BytesIO(mdata)))
    equal(done["checksum"], tree_hash(mdata), "MultipartUpload.complete checksum")
    marchive = vault.Archive(done["archiveId"])
    mjob = marchive.initiate_archive_retrieval()
    wait_job(c, "py-res", mjob.id)
    check(mjob.get_output()["body"].read() == mdata, "multipart archive via the resources reads back")
    aborted = vault.initiate_multipart_upload(partSize=str(4 * MIB))
    aborted.abort()
    equal(list(vault.multipart_uploads.all()), [], "MultipartUpload.abort")

    # Notification resource.
    n = vault.Notification()
    topic = "arn:aws:sns:us-east-1:%s:py-res-topic" % ACCOUNT
    n.set(vaultNotificationConfig={"SNSTopic": topic, "Events": ["ArchiveRetrievalCompleted"]})
    n.load()
    equal(n.sns_topic, topic, "Notification.sns_topic")
    equal(n.events, ["ArchiveRetrievalCompleted"], "Notification.events")
    n.delete()
    expect_error("ResourceNotFoundException", c.get_vault_notifications, vaultName="py-res")

    archive.delete()
    marchive.delete()
    if AWS:
        expect_error("InvalidParameterValueException", vault.delete)
    take_inventory()
    vault.delete()
    expect_error("ResourceNotFoundException", c.describe_vault, vaultName="py-res")


def section_paginators():
    c = new_client()
    names = ["py-page-%02d" % i for i in range(12)]
    for n in names:
        c.create_vault(vaultName=n)
    pages = list(c.get_paginator("list_vaults").paginate(PaginationConfig={"PageSize": 5}))
    got = [v["VaultName"] for p in pages for v in p["VaultList"]]
    check(all(len(p["VaultList"]) <= 5 for p in pages), "list_vaults pages hold at most PageSize vaults")
    check(len(pages) >= 3, "list_vaults paginates 12+ vaults in pages of 5", len(pages))
    equal([n for n in got if n.startswith("py-page-")], names, "list_vaults paginator yields each vault once, in order")
    equal(len(got), len(set(got)), "list_vaults paginator: no duplicates")
    check(pages[-1].get("Marker") is None, "last ListVaults page has no Marker")
    capped = c.get_paginator("list_vaults").paginate(PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
    equal(len(capped["VaultList"]), 3, "list_vaults MaxItems")
    check("NextToken" in capped, "list_vaults MaxItems leaves a NextToken")
    rest = c.get_paginator("list_vaults").paginate(PaginationConfig={"PageSize": 4, "StartingToken": capped["NextToken"]}).build_full_result()
    equal([v["VaultName"] for v in capped["VaultList"]] + [v["VaultName"] for v in rest["VaultList"]], got,
          "list_vaults resumes from NextToken")

    vault = names[0]
    c.upload_archive(vaultName=vault, body=b"paginate me")
    take_inventory()
    job_ids = [c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval", "Description": "page %d" % i})["jobId"]
               for i in range(7)]
    for j in job_ids:
        wait_job(c, vault, j)
    pages = list(c.get_paginator("list_jobs").paginate(vaultName=vault, PaginationConfig={"PageSize": 3}))
    equal([len(p["JobList"]) for p in pages], [3, 3, 1], "list_jobs pages of 3")
    equal([j["JobId"] for p in pages for j in p["JobList"]], job_ids, "list_jobs paginator yields the jobs in initiation order")
    pages = list(c.get_paginator("list_jobs").paginate(vaultName=vault, statuscode="Succeeded", PaginationConfig={"PageSize": 4}))
    equal(sum(len(p["JobList"]) for p in pages), 7, "list_jobs paginator with a statuscode filter")

    uploads = [c.initiate_multipart_upload(vaultName=vault, partSize=str(MIB), archiveDescription="up %d" % i)["uploadId"] for i in range(6)]
    pages = list(c.get_paginator("list_multipart_uploads").paginate(vaultName=vault, PaginationConfig={"PageSize": 4}))
    equal([len(p["UploadsList"]) for p in pages], [4, 2], "list_multipart_uploads pages of 4")
    equal(sorted(u["MultipartUploadId"] for p in pages for u in p["UploadsList"]), sorted(uploads),
          "list_multipart_uploads paginator yields every upload once")

    uid = uploads[0]
    data = data_of(31, 5 * MIB)
    for i in range(5):
        c.upload_multipart_part(vaultName=vault, uploadId=uid, range="bytes %d-%d/*" % (i * MIB, (i + 1) * MIB - 1),
                                body=data[i * MIB:(i + 1) * MIB])
    pages = list(c.get_paginator("list_parts").paginate(vaultName=vault, uploadId=uid, PaginationConfig={"PageSize": 2}))
    equal([len(p["Parts"]) for p in pages], [2, 2, 1], "list_parts pages of 2")
    equal([p["RangeInBytes"] for pg in pages for p in pg["Parts"]], ["%d-%d" % (i * MIB, (i + 1) * MIB - 1) for i in range(5)],
          "list_parts paginator yields the parts in range order")
    equal([p["SHA256TreeHash"] for pg in pages for p in pg["Parts"]], [tree_hash(data[i * MIB:(i + 1) * MIB]) for i in range(5)],
          "list_parts tree hashes")

    for u in uploads:
        c.abort_multipart_upload(vaultName=vault, uploadId=u)
    empty_vault(c, vault)
    for n in names[1:]:
        c.delete_vault(vaultName=n)


def section_waiters():
    c = new_client()
    fast = {"Delay": 1, "MaxAttempts": 10}
    c.create_vault(vaultName="py-wait")
    started = time.time()
    c.get_waiter("vault_exists").wait(vaultName="py-wait", WaiterConfig=fast)
    check(time.time() - started < 1, "vault_exists returns at once for an existing vault")
    c.get_waiter("vault_not_exists").wait(vaultName="py-wait-none", WaiterConfig=fast)
    check(True, "vault_not_exists returns for a missing vault")

    # The waiter polls until another thread creates the vault.
    timer = threading.Timer(1.5, lambda: new_client().create_vault(vaultName="py-wait-later"))
    timer.start()
    started = time.time()
    c.get_waiter("vault_exists").wait(vaultName="py-wait-later", WaiterConfig=fast)
    timer.join()
    check(1 <= time.time() - started < 9, "vault_exists waits until the vault is created", time.time() - started)

    timer = threading.Timer(1.5, lambda: new_client().delete_vault(vaultName="py-wait-later"))
    timer.start()
    started = time.time()
    c.get_waiter("vault_not_exists").wait(vaultName="py-wait-later", WaiterConfig=fast)
    timer.join()
    check(1 <= time.time() - started < 9, "vault_not_exists waits until the vault is deleted", time.time() - started)

    try:
        c.get_waiter("vault_exists").wait(vaultName="py-wait-never", WaiterConfig={"Delay": 1, "MaxAttempts": 2})
        check(False, "vault_exists gives up on a vault that never appears")
    except WaiterError as e:
        check("Max attempts exceeded" in str(e), "vault_exists gives up on a vault that never appears", str(e))
    c.delete_vault(vaultName="py-wait")


def kept_object(path):
    """GETs an object (or listing) of permafrost's built-in S3 store."""
    with urllib.request.urlopen(ENDPOINT + "/_permafrost/s3/" + path, timeout=30) as resp:
        return resp.read().decode()


def section_select():
    """Glacier Select: initiate_job with a select body over CSV archives;
    without --s3-endpoint the objects are read from /_permafrost/s3/."""
    c = new_client()
    c.create_vault(vaultName="select")
    csv = b'id,name,city\n1,Ann,"Oslo, NO"\n2,Bo,"multi\nline"\n3,Cy,\n'
    aid = c.upload_archive(vaultName="select", body=csv)["archiveId"]

    def select(expr, prefix, header="NONE", out=None):
        params = {"Type": "select", "ArchiveId": aid, "Tier": "Expedited",
                  "SelectParameters": {"Expression": expr, "ExpressionType": "SQL",
                                       "InputSerialization": {"csv": {"FileHeaderInfo": header}},
                                       "OutputSerialization": {"csv": out or {}}},
                  "OutputLocation": {"S3": {"BucketName": "results", "Prefix": prefix}}}
        r = c.initiate_job(vaultName="select", jobParameters=params)
        equal(r["jobOutputPath"], prefix + "/" + r["jobId"] + "/", "select: x-amz-job-output-path")
        return r["jobOutputPath"], wait_job(c, "select", r["jobId"])

    path, d = select("SELECT name, city FROM ARCHIVE WHERE id <> '2'", "boto", "USE", {"QuoteFields": "ALWAYS"})
    equal((d["Action"], d["StatusCode"], d["JobOutputPath"]), ("Select", "Succeeded", path), "select: DescribeJob")
    equal(d["SelectParameters"]["InputSerialization"]["csv"]["FileHeaderInfo"], "USE", "select: SelectParameters as sent")
    equal(d["OutputLocation"]["S3"]["BucketName"], "results", "select: OutputLocation as sent")
    equal(kept_object("results/" + path + "results/result_0.csv"), '"Ann","Oslo, NO"\n"Cy",""\n', "select: results")
    equal(kept_object("results/" + path + "result_manifest.txt"), path + "results/result_0.csv\n", "select: result_manifest.txt")
    path, d = select("SELECT s._3 FROM ARCHIVE s WHERE s._1 = '2'", "boto", "IGNORE")
    equal(kept_object("results/" + path + "results/result_0.csv"), '"multi\nline"\n', "select: a quoted newline")
    listing = json.loads(kept_object("results?prefix=boto/"))
    check(len(listing["Contents"]) == 6, "select: two jobs, three objects each, listed", listing)
    for expr in ("SELECT COUNT(*) FROM ARCHIVE", "SELECT * FROM ARCHIVE LIMIT 2"):
        e = expect_error("InvalidParameterValueException", c.initiate_job, vaultName="select", jobParameters={
            "Type": "select", "ArchiveId": aid,
            "SelectParameters": {"Expression": expr, "ExpressionType": "SQL"},
            "OutputLocation": {"S3": {"BucketName": "results", "Prefix": "boto"}}})
        if e:
            check("UnsupportedSqlOperation" in str(e), "select: %s refused as unsupported" % expr, str(e))
    path, d = select("SELECT CAST(name AS INT) FROM ARCHIVE", "bad", "USE")
    equal((d["StatusCode"], d["StatusMessage"]),
          ("Failed", "Attempt to convert from one data type to another using CAST failed in the SQL expression."), "select: a failing query")
    equal(json.loads(kept_object("results/" + path + "errors/error_0.txt"))["ErrorCode"], "CastFailed", "select: the error object")
    equal(kept_object("results/" + path + "error_manifest.txt"), path + "errors/error_0.txt\n", "select: error_manifest.txt")
    expect_error("InvalidParameterValueException", c.get_job_output, vaultName="select", jobId=d["JobId"])
    # Leave no vault behind (section_aws_profile counts the inventories).
    c.delete_archive(vaultName="select", archiveId=aid)
    delete_emptied_vault(c, "select")


def section_delayed_jobs():
    if not DELAYED:
        log("note: PERMAFROST_DELAYED_ENDPOINT unset; the delayed-job section is not run")
        return
    c = new_client(DELAYED)
    vault = "py-delayed"
    c.create_vault(vaultName=vault)
    vault_topic = "arn:aws:sns:us-east-1:%s:py-vault-topic" % ACCOUNT
    job_topic = "arn:aws:sns:us-east-1:%s:py-job-topic" % ACCOUNT
    c.set_vault_notifications(vaultName=vault, vaultNotificationConfig={"SNSTopic": vault_topic, "Events": ["ArchiveRetrievalCompleted"]})
    data = data_of(41, 2 * MIB + 9)
    aid = c.upload_archive(vaultName=vault, body=data)["archiveId"]

    # This server runs with --expedited-capacity provisioned: Expedited
    # retrievals need a provisioned capacity unit.
    e = expect_error("InsufficientCapacityException", c.initiate_job, vaultName=vault,
                     jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "Tier": "Expedited"})
    if e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 503, "InsufficientCapacityException answers 503")
    cap = c.purchase_provisioned_capacity()
    equal(cap["ResponseMetadata"]["HTTPStatusCode"], 201, "PurchaseProvisionedCapacity answers 201")
    equal([u["CapacityId"] for u in c.list_provisioned_capacity()["ProvisionedCapacityList"]], [cap["capacityId"]],
          "ListProvisionedCapacity lists the unit")

    std = c.initiate_job(vaultName=vault, jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "SNSTopic": job_topic})["jobId"]
    inv = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval"})["jobId"]
    fast = c.initiate_job(vaultName=vault, jobParameters={"Type": "archive-retrieval", "ArchiveId": aid, "Tier": "Expedited"})["jobId"]
    d = c.describe_job(vaultName=vault, jobId=std)
    equal((d["Completed"], d["StatusCode"]), (False, "InProgress"), "a Standard job with a 1h delay is in progress")
    check(d.get("CompletionDate") is None, "an in-progress job has no CompletionDate", d.get("CompletionDate"))
    equal(d.get("SNSTopic"), job_topic, "DescribeJob SNSTopic")
    e = expect_error("InvalidParameterValueException", c.get_job_output, vaultName=vault, jobId=std)
    if e:
        check("The job is not currently available for download: " + std in str(e), "output of an unfinished job: message", str(e))
    d = wait_job(c, vault, fast, timeout=30)
    equal(d["StatusCode"], "Succeeded", "an Expedited job (no delay configured) completes at once")
    in_progress = [j["JobId"] for j in c.list_jobs(vaultName=vault, statuscode="InProgress")["JobList"]]
    equal(sorted(in_progress), sorted([std, inv]), "list_jobs statuscode=InProgress")
    done = [j["JobId"] for j in c.list_jobs(vaultName=vault, completed="true")["JobList"]]
    equal(done, [fast], "list_jobs completed=true")

    status, now = emulator(DELAYED, "POST", "/_permafrost/clock/advance?by=30m")
    equal(status, 200, "POST /_permafrost/clock/advance?by=30m")
    time.sleep(1.5)
    equal(c.describe_job(vaultName=vault, jobId=std)["StatusCode"], "InProgress", "the job is still in progress after 30 minutes")
    emulator(DELAYED, "POST", "/_permafrost/clock/advance?by=31m")
    d = wait_job(c, vault, std, timeout=30)
    equal(d["StatusCode"], "Succeeded", "the Standard job completes once the clock passes 1h")
    check(d.get("CompletionDate") is not None and d["CompletionDate"] > d["CreationDate"], "CompletionDate after CreationDate", d)
    out = c.get_job_output(vaultName=vault, jobId=std)
    check(out["body"].read() == data, "delayed job output bytes match")
    d = wait_job(c, vault, inv, timeout=30)
    equal(d["StatusCode"], "Succeeded", "the inventory job completes too")

    # Job-completion notifications: the job's topic and the vault's topic.
    deadline = time.time() + 15
    while True:
        status, notes = emulator(DELAYED, "GET", "/_permafrost/notifications")
        mine = [(n["topic"], json.loads(n["message"])) for n in notes if json.loads(n["message"]).get("JobId") == std]
        if len(mine) >= 2 or time.time() > deadline:
            break
        time.sleep(0.2)
    equal(sorted(t for t, _ in mine), sorted([job_topic, vault_topic]), "a completed job notifies its own topic and the vault's topic")
    for topic, msg in mine:
        equal((msg.get("StatusCode"), msg.get("Completed"), msg.get("Action")), ("Succeeded", True, "ArchiveRetrieval"),
              "notification to %s describes the completed job" % topic.rsplit(":", 1)[1])
    fast_notes = [n for n in notes if json.loads(n["message"]).get("JobId") == fast]
    equal([n["topic"] for n in fast_notes], [vault_topic], "an archive job without SNSTopic notifies only the vault topic")
    inv_notes = [n for n in notes if json.loads(n["message"]).get("JobId") == inv]
    equal(inv_notes, [], "an inventory job is not notified when only ArchiveRetrievalCompleted is configured")

    c.delete_archive(vaultName=vault, archiveId=aid)
    c.delete_vault(vaultName=vault)


def section_aws_profile():
    """What the aws run adds to the sections above: an inventory retrieval
    before the first inventory, how many inventories POST
    /_permafrost/inventory takes (the sections before leave no vault
    behind), and the scheduled inventory a day after a deletion."""
    if not AWS:
        log("note: PERMAFROST_PROFILE is not aws; the aws-profile section is not run")
        return
    c = new_client()
    vault = "py-aws"
    c.create_vault(vaultName=vault)
    data = data_of(77, MIB + 5)
    aid = c.upload_archive(vaultName=vault, body=data)["archiveId"]
    d = c.describe_vault(vaultName=vault)
    equal((d["NumberOfArchives"], d["SizeInBytes"], d.get("LastInventoryDate")), (0, 0, None),
          "aws profile: DescribeVault shows no inventory right after the upload")
    expect_error("ResourceNotFoundException", c.initiate_job, vaultName=vault, jobParameters={"Type": "inventory-retrieval"})

    # The first inventory: POST /_permafrost/inventory instead of waiting a day.
    status, out = emulator(ENDPOINT, "POST", "/_permafrost/inventory")
    equal((status, out["inventories"]), (200, 1), "POST /_permafrost/inventory takes the vault's inventory")
    d = c.describe_vault(vaultName=vault)
    equal((d["NumberOfArchives"], d["SizeInBytes"]), (1, len(data) + 32 * 1024),
          "aws profile: DescribeVault counts the archive and 32 KiB of index data")
    check(d.get("LastInventoryDate") is not None, "aws profile: LastInventoryDate is set")
    inv_job = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval"})["jobId"]
    wait_job(c, vault, inv_job)  # checks the 4 hours
    inv = json.loads(c.get_job_output(vaultName=vault, jobId=inv_job)["body"].read())
    equal([(a["ArchiveId"], a["Size"]) for a in inv["ArchiveList"]], [(aid, len(data))],
          "aws profile: the inventory lists the archive with its own size")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", inv["InventoryDate"]) is not None,
          "aws profile: InventoryDate in whole seconds", inv["InventoryDate"])

    # Delete every archive: DeleteVault fails until the next inventory.
    c.delete_archive(vaultName=vault, archiveId=aid)
    e = expect_error("InvalidParameterValueException", c.delete_vault, vaultName=vault)
    if e:
        check("Vault not empty or recently written to: " + vault_arn(vault) in str(e), "DeleteVault message", str(e))
    equal(c.describe_vault(vaultName=vault)["NumberOfArchives"], 1, "aws profile: the deletion shows only after the next inventory")
    emulator(ENDPOINT, "POST", "/_permafrost/clock/advance?by=25h")  # the scheduled inventory, a day after the deletion
    equal(c.describe_vault(vaultName=vault)["NumberOfArchives"], 0, "aws profile: the next inventory, a day later, is empty")
    c.delete_vault(vaultName=vault)
    expect_error("ResourceNotFoundException", c.describe_vault, vaultName=vault)


def _iso(s):
    """Seconds since the epoch of an ISO 8601 / RFC 3339 UTC date (with a
    fraction of up to nanoseconds, or none)."""
    import calendar
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z", s)
    if not m:
        raise ValueError("not an ISO 8601 UTC date: %r" % s)
    whole = calendar.timegm(tuple(int(x) for x in m.groups()[:6]))
    return whole + (int(m.group(7)) / 10 ** len(m.group(7)) if m.group(7) else 0)


def section_clock():
    """Data retrieval policy, inventory date filters and vault-lock expiry,
    driven by the emulator's clock on the delayed server."""
    if not DELAYED:
        log("note: PERMAFROST_DELAYED_ENDPOINT unset; the clock section is not run")
        return
    from datetime import datetime, timedelta, timezone
    c = new_client(DELAYED)
    vault = "py-clock"
    c.create_vault(vaultName=vault)
    _, clock = emulator(DELAYED, "GET", "/_permafrost/clock")
    # RFC 3339 with up to nanoseconds; drop the fraction for fromisoformat.
    t0 = datetime.fromisoformat(re.sub(r"\.\d+", "", clock["now"]).replace("Z", "+00:00")).astimezone(timezone.utc)
    first = c.upload_archive(vaultName=vault, body=b"first", archiveDescription="first")["archiveId"]

    # A BytesPerHour policy of 1 byte refuses Standard retrievals only.
    c.set_data_retrieval_policy(Policy={"Rules": [{"Strategy": "BytesPerHour", "BytesPerHour": 1}]})
    e = expect_error("PolicyEnforcedException", c.initiate_job, vaultName=vault,
                     jobParameters={"Type": "archive-retrieval", "ArchiveId": first, "Tier": "Standard"})
    if e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, "PolicyEnforcedException answers 400")
    fast = c.initiate_job(vaultName=vault, jobParameters={"Type": "archive-retrieval", "ArchiveId": first, "Tier": "Expedited"})
    check(fast.get("jobId"), "an Expedited retrieval is not limited by the data retrieval policy")
    c.set_data_retrieval_policy(Policy={"Rules": [{"Strategy": "None"}]})

    emulator(DELAYED, "POST", "/_permafrost/clock/advance?by=2h")
    second = c.upload_archive(vaultName=vault, body=b"second", archiveDescription="second")["archiveId"]
    cut = (t0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval",
                                                           "InventoryRetrievalParameters": {"StartDate": cut}})["jobId"]
    before = c.initiate_job(vaultName=vault, jobParameters={"Type": "inventory-retrieval",
                                                            "InventoryRetrievalParameters": {"EndDate": cut}})["jobId"]
    equal(c.describe_job(vaultName=vault, jobId=after)["StatusCode"], "InProgress", "an inventory job waits for the Standard delay")
    emulator(DELAYED, "POST", "/_permafrost/clock/advance?by=61m")
    for job, want, what in ((after, [second], "StartDate"), (before, [first], "EndDate")):
        d = wait_job(c, vault, job, timeout=30)
        equal(d["InventoryRetrievalParameters"].get("StartDate" if what == "StartDate" else "EndDate"), cut,
              "DescribeJob echoes the inventory %s" % what)
        inv = json.loads(c.get_job_output(vaultName=vault, jobId=job)["body"].read())
        equal([a["ArchiveId"] for a in inv["ArchiveList"]], want, "inventory filtered by %s lists only the matching archive" % what)

    # A vault lock that is not completed expires after 24 hours.
    c.initiate_vault_lock(vaultName=vault, policy={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "glacier:DeleteArchive", "Resource": vault_arn(vault)}]})})
    equal(c.get_vault_lock(vaultName=vault)["State"], "InProgress", "vault lock in progress")
    emulator(DELAYED, "POST", "/_permafrost/clock/advance?by=25h")
    expect_error("ResourceNotFoundException", c.get_vault_lock, vaultName=vault)
    # Jobs and their output are kept 24 hours after completion.
    e = expect_error("ResourceNotFoundException", c.describe_job, vaultName=vault, jobId=after)
    if e:
        check("The job ID was not found: " + after in str(e), "an expired job is not found", str(e))
    expect_error("ResourceNotFoundException", c.get_job_output, vaultName=vault, jobId=after)
    c.delete_archive(vaultName=vault, archiveId=first)
    c.delete_archive(vaultName=vault, archiveId=second)
    c.delete_vault(vaultName=vault)


def section_signatures():
    """SigV4 verification (--credentials) with botocore's signer, and
    cross-account access through a vault access policy."""
    if not SIGNED:
        log("note: PERMAFROST_SIGNED_ENDPOINT unset; the signatures section is not run")
        return
    okey, osecret = os.environ["PERMAFROST_SIGNED_OWNER"].split(":")
    xkey, xsecret, xaccount = os.environ["PERMAFROST_SIGNED_OTHER"].split(":")

    def signed(key, secret):
        return boto3.client("glacier", **dict(session_kwargs(SIGNED), aws_access_key_id=key, aws_secret_access_key=secret))

    owner = signed(okey, osecret)
    vault = "py-signed"
    equal(owner.create_vault(vaultName=vault)["location"], "/%s/vaults/%s" % (ACCOUNT, vault), "signed CreateVault")
    data = data_of(51, MIB + 5)
    r = owner.upload_archive(vaultName=vault, body=data)
    equal(r["checksum"], tree_hash(data), "signed UploadArchive (payload hash in the signature)")
    up = owner.initiate_multipart_upload(vaultName=vault, partSize=str(MIB))["uploadId"]
    p = owner.upload_multipart_part(vaultName=vault, uploadId=up, range="bytes 0-%d/*" % (MIB - 1), body=data[:MIB])
    equal(p["checksum"], tree_hash(data[:MIB]), "signed UploadMultipartPart")
    owner.abort_multipart_upload(vaultName=vault, uploadId=up)

    e = expect_error("InvalidSignatureException", signed(okey, "not-the-secret").describe_vault, vaultName=vault)
    if e:
        equal(e.response["ResponseMetadata"]["HTTPStatusCode"], 403, "a wrong signature answers 403")
    expect_error("InvalidSignatureException", signed(okey, "not-the-secret").upload_archive, vaultName=vault, body=b"x")
    expect_error("UnrecognizedClientException", signed("AKIDNOBODY", "x").list_vaults)
    req = urllib.request.Request(SIGNED + "/-/vaults", headers={"x-amz-glacier-version": "2012-06-01"})
    try:
        urllib.request.urlopen(req, timeout=30)
        check(False, "an unsigned request is refused")
    except urllib.error.HTTPError as he:
        equal(json.loads(he.read()).get("code"), "MissingAuthenticationTokenException", "an unsigned request is refused")

    # A presigned URL (query-string signature) works for a GET. botocore
    # signs it with the SHA-256 of the (empty) body as the payload hash, as
    # SigV4 prescribes for every service but S3 (UNSIGNED-PAYLOAD is S3's).
    url = owner.generate_presigned_url("describe_vault", Params={"accountId": "-", "vaultName": vault}, ExpiresIn=300)
    check("X-Amz-Signature=" in url, "generate_presigned_url signs in the query string", url)
    req = urllib.request.Request(url, headers={"x-amz-glacier-version": "2012-06-01"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            equal(json.loads(resp.read()).get("VaultName"), vault, "a presigned DescribeVault URL")
    except urllib.error.HTTPError as he:
        server_bug(False, "a botocore presigned DescribeVault URL (payload hash = SHA-256 of the empty body) is accepted",
                   "%s %s" % (he.code, he.read().decode()[:60]), "200 with the vault")

    # Cross-account access needs the vault's access policy.
    other = signed(xkey, xsecret)
    equal([v["VaultName"] for v in other.list_vaults()["VaultList"]], [], "another account sees none of the owner's vaults")
    expect_error("AccessDeniedException", other.describe_vault, accountId=ACCOUNT, vaultName=vault)
    owner.set_vault_access_policy(vaultName=vault, policy={"Policy": json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % xaccount},
                       "Action": ["glacier:DescribeVault", "glacier:UploadArchive"], "Resource": vault_arn(vault)}]})})
    equal(other.describe_vault(accountId=ACCOUNT, vaultName=vault)["VaultARN"], vault_arn(vault),
          "the access policy lets the other account describe the vault")
    theirs = other.upload_archive(accountId=ACCOUNT, vaultName=vault, body=b"from a partner")
    check(theirs["location"].startswith("/%s/vaults/%s/archives/" % (ACCOUNT, vault)), "the other account uploads into the owner's vault",
          theirs["location"])
    expect_error("AccessDeniedException", other.delete_archive, accountId=ACCOUNT, vaultName=vault, archiveId=theirs["archiveId"])
    expect_error("AccessDeniedException", other.create_vault, accountId=ACCOUNT, vaultName="py-signed-hijack")
    expect_error("AccessDeniedException", other.get_data_retrieval_policy, accountId=ACCOUNT)

    owner.delete_archive(vaultName=vault, archiveId=r["archiveId"])
    owner.delete_archive(vaultName=vault, archiveId=theirs["archiveId"])
    owner.delete_vault(vaultName=vault)


SECTIONS = [
    section_client_vaults,
    section_uploads_and_jobs,
    section_multipart_client,
    section_resources,
    section_paginators,
    section_waiters,
    section_select,
    section_delayed_jobs,
    section_clock,
    section_aws_profile,
    section_signatures,
    section_faults,
]


def main():
    log("boto3 %s, botocore %s, endpoint %s" % (boto3.__version__, botocore.__version__, ENDPOINT))
    only = sys.argv[1:]
    for s in SECTIONS:
        if only and s.__name__ not in only:
            continue
        log("== " + s.__name__)
        started = time.time()
        try:
            s()
        except Exception:
            failed.append(s.__name__ + " raised")
            log("FAIL: %s raised:\n%s" % (s.__name__, traceback.format_exc()))
        log("-- %s took %.1fs" % (s.__name__, time.time() - started))
    allow = os.environ.get("PERMAFROST_E2E_ALLOW_BUGS", "") != ""
    log("boto3 suite: %d checks passed, %d failed, %d server bugs%s" % (
        passed, len(failed), len(bugs), " (allowed)" if bugs and allow else ""))
    for f in failed:
        log("  failed: " + f)
    for b in bugs:
        log("  BUG: " + b)
    if failed or (bugs and not allow):
        sys.exit(1)


if __name__ == "__main__":
    main()

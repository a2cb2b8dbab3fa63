// Help texts of tl-upload: the overview and one page per command (`tl-upload <command> --help`).

export const OVERVIEW = `tl-upload: durable TwelveLabs uploads on Temporal

Usage: tl-upload <command> [options]

Commands:
  upload <file|dir|url>...   upload files, every media file under a directory, or URLs
  status <id>                show an upload's progress once
  watch <id>                 follow an upload's progress until it ends
  pause <id>                 hold an upload (chunks in flight finish; no new ones start)
  resume <id>                continue a paused upload
  concurrency <id> <n>       change chunk PUTs in flight (a batch: files at once)
  cancel <id>                cancel an upload: in-flight PUTs stop, nothing more is sent
  list                       uploads Temporal knows, newest first
  incomplete                 open multipart sessions at TwelveLabs
  assets list|get|delete|metadata   the assets at TwelveLabs

Every command takes --json (output for scripts) and --help; \`tl-upload --version\` prints the version.
Results go to stdout; the progress bar, waiting notes and errors go to stderr.

Connection (like the Temporal CLI's; a flag overrides its environment variable):
  --address <host:port>        TEMPORAL_ADDRESS (default 127.0.0.1:7233)
  --namespace <name>           TEMPORAL_NAMESPACE (default: default)
  --profile <name>             TEMPORAL_PROFILE: a profile of the TOML config file
  --config-file <path>         TEMPORAL_CONFIG_FILE (default ~/.config/temporalio/temporal.toml)
  --api-key <key>              TEMPORAL_API_KEY (Temporal Cloud; turns TLS on)
  --tls, --tls=false           TEMPORAL_TLS
  --tls-cert-path <path>       TEMPORAL_TLS_CLIENT_CERT_PATH (mTLS)
  --tls-key-path <path>        TEMPORAL_TLS_CLIENT_KEY_PATH
  --tls-ca-path <path>         TEMPORAL_TLS_SERVER_CA_CERT_PATH
  --tls-server-name <name>     TEMPORAL_TLS_SERVER_NAME
  --tls-disable-host-verification
  --task-queue <name>          TL_TASK_QUEUE (default twelvelabs-uploads)
  --ui-url <url>               TEMPORAL_UI_URL: the Web UI the links point at (default
                               http://localhost:8233 for a local dev server; docker compose
                               serves it on http://127.0.0.1:8080)
Output:
  --progress, --no-progress    draw the progress bar always / never (default: when stderr
                               is a terminal, as wide as the terminal)
Also from the environment: TL_SEARCH_ATTRIBUTES, TL_CODEC_KEYS (see README, Configuration).
The CLI needs no TwelveLabs API key: the worker holds it, and every TwelveLabs call runs there.

Exit codes: 0 done, 1 failed or cancelled (a batch: any of its files), 2 bad usage or configuration, 3 not found,
4 Temporal unreachable or no worker answered, 130 interrupted while watching.
No worker polling the task queue is not a failure: the upload waits. \`upload\` and \`watch\`
say so (naming the queue) and keep following; \`status\` answers what Temporal knows and exits 4.`;

export const COMMAND_HELP: Record<string, string> = {
  upload: `Usage: tl-upload upload <file|dir|url>... [options]

One file or URL runs one upload: a local file up to 200 MiB goes as a direct upload, a larger
one up to 4 GiB as a multipart upload, a larger one is refused; a URL is fetched by TwelveLabs.
A directory, several arguments or --list run a batch (every media file under the directory, or
every path or URL in the list file, one per line): of any size. Small files go several to an
activity, back to back; large ones as uploads of their own.
Paths are read by the worker, so they must exist on the worker's host (under TL_ALLOWED_ROOTS).

Starting again with the same file (same path, size and modification time), URL or --id
attaches to that upload instead of starting a second one. Running the same batch again (same
directory, list or files) while it runs attaches to it; once it ended, it runs again and uploads
only what is left: files that failed, changed or are new. Files uploaded before are reported with
their assets (not uploaded again), and the output says what was skipped and why.

Without --json the command follows the upload with a progress bar (on stderr) and ends with the
asset id and a link to the workflow in the Web UI (Ctrl-C stops watching; the upload goes on).
With --json it prints the start record and returns; add --wait to print the result instead
(while it waits, stderr says for what, and whether a worker serves the queue).

Options:
  --wait                   wait for the result (with --json)
  --detach                 do not follow the progress (without --json)
  --json                   machine-readable output
  --id <workflow-id>       the upload's workflow id (default: from the file's identity)
  --concurrency <n>        chunk PUTs in flight per multipart upload (1..64, default 8);
                           for a batch: files uploading at once (1..32, default 4)
  --chunk-concurrency <n>  for a batch: chunk PUTs in flight per file
  --recursive              a directory: also its subdirectories
  --list <file>            a batch of the paths or URLs in <file>, one per line
  --filename <name>        the asset's name (one upload only; default: the file's name)
  --metadata <key=value>   user metadata, repeatable (numbers and true/false are typed)
  --hls, --thumbnail       ask TwelveLabs for an HLS stream / a thumbnail
  --no-ready-wait          return once uploaded, without waiting for the asset to be ready
  --direct-max-bytes <n>   largest file sent as a direct upload (default and max 209715200)
  --worker-timeout <s>     stop following or waiting (exit 4) once no worker has served the
                           upload for this long (default: wait; the upload itself waits anyway)
  --help`,
  status: `Usage: tl-upload status <workflow-id> [--json]

Shows the upload's progress once: phase, bytes sent (including chunks in flight; for a failed
or cancelled upload, what it had stored), rate and ETA over the recent past, the asset id, or
the error. With no worker polling the upload's task queue it shows what Temporal knows, says
so naming the queue, and exits 4 (the upload is waiting, not failed).`,
  watch: `Usage: tl-upload watch <workflow-id> [--json] [--interval-ms <n>] [--worker-timeout <s>]

Follows the upload's progress until it ends. With --json, prints one JSON object per line.
Exits 0 when the upload completed, 1 when it failed or was cancelled (a batch: when any of
its files failed or was cancelled; the same rule as upload --json --wait and status). While no worker polls
the upload's task queue it says so (stderr) and keeps waiting; with --worker-timeout it stops
after that many seconds without a worker and exits 4.`,
  pause: `Usage: tl-upload pause <workflow-id> [--json]

Holds a running upload or batch: chunks (or files) in flight finish, no new ones start. A direct
upload is a single request and cannot pause halfway; it pauses only before it begins.`,
  resume: `Usage: tl-upload resume <workflow-id> [--json]

Continues a paused upload or batch.`,
  concurrency: `Usage: tl-upload concurrency <workflow-id> <n> [--json]

Changes how many chunk PUTs a running multipart upload keeps in flight (1..64), or how many
files a batch uploads at once (1..32). Prints the previous value.`,
  cancel: `Usage: tl-upload cancel <workflow-id> [--json]

Cancels a running upload or batch: in-flight PUTs stop, nothing more is sent, and the workflow
ends as cancelled.`,
  list: `Usage: tl-upload list [--running] [--phase <phase>] [--file <name>] [--limit <n>] [--json]

Lists the uploads and batches Temporal knows, newest first, with their search attributes
(TlFileName, TlFileSize, TlPhase); the same filters work in the Web UI.`,
  incomplete: `Usage: tl-upload incomplete [--limit <n>] [--json]

Lists the open multipart sessions at TwelveLabs (what interrupted uploads may have left; each
expires 24 hours after it began). The call runs on the worker.`,
  assets: `Usage: tl-upload assets <list|get|delete|metadata> ... [--json]

  assets list [--filename <substring>] [--type video|audio|image] [--page <n>] [--limit <n>]
  assets get <asset-id>
  assets delete <asset-id> [--force]
  assets metadata <asset-id>                          show the user metadata
  assets metadata <asset-id> --set k=v ... --unset k  merge changes (A5)
  assets metadata <asset-id> --replace --set k=v ...  replace all keys (A6)
  assets metadata <asset-id> --clear                  remove every key (A7)

Every call runs on the worker, which holds the TwelveLabs API key.`,
};

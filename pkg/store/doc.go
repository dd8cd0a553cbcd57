// Package store keeps whole objects under slash-separated keys, in a local
// folder or an S3 bucket, behind one small interface. It knows bytes, not
// what they mean.
//
// # A tour
//
// Open takes a location: a folder path ("out", "/data/runs", file:///data)
// or s3://bucket/prefix. Check proves, before any work starts, that the
// location can be written, so a job fails in its first second rather than
// after its first hour. Put, Get, List and Delete move whole objects; there
// is no append and no partial read. Both stores are Streamers too:
// PutStream takes an object as a function writes it, so that a file of
// gigabytes is never held in memory, and stores it whole or not at all.
//
// Keys look like output.Key's "year=2019/scenario=base/regions.arrow".
// ValidKey rejects anything that could escape the folder or mean different
// things on the two backends: "..", a leading slash, empty segments,
// backslashes.
//
// A folder Put writes a temporary file beside the target, syncs it and
// renames it into place. An S3 Put is one PUT, or a multipart upload for
// objects of 16 MiB and more, which S3 publishes only when it completes.
// Either way a reader sees the old object or the new one, never a part.
// A folder PutStream writes the temporary file as the function writes;
// an S3 PutStream feeds a multipart upload of 16 MiB parts through a
// pipe, which S3 publishes only when it completes and which is aborted,
// its parts discarded, when the function fails, the upload fails or the
// context ends.
//
// S3 calls retry connection errors, timeouts, throttling and 5xx answers
// with jittered exponential backoff (a quarter second, doubling to five),
// for up to Options.RetryFor (a minute by default) and never past the
// caller's context. A gateway that restarts for ten seconds costs a
// delay, not a failed job. Answers that retrying cannot change (access
// denied, no such bucket) return at once.
//
// # Traps
//
//   - A streamed S3 put that fails in a way that may pass cannot be sent
//     again from a buffer: PutStream calls the write function again from
//     the start, so it must write the same bytes each time (an encoder
//     is deterministic). Its retry budget counts from the first failure,
//     not from the start of a stream that may have run for minutes.
//   - An S3 stream of unknown size is limited to 10,000 parts of 16 MiB,
//     160 GiB; minio-go left to itself would buffer parts of over 500
//     MiB. Even a small object goes up as a multipart upload of one part
//     (three requests instead of one PUT).
//   - A process killed during an S3 PutStream leaves an unfinished
//     multipart upload, invisible to readers but stored; a bucket
//     lifecycle rule that aborts incomplete uploads after a day clears
//     them. A folder keeps a hidden .mrioflow-tmp-* file instead, which
//     Sweep (a folder is a Sweeper) removes; the runner sweeps a job's
//     folder at the start of each run.
//   - S3 addressing is path-style (endpoint/bucket/key), which every S3
//     server accepts; the endpoint's scheme, http or https, decides TLS.
//   - Credentials come from Options or the AWS_* variables only: no
//     shared-config files, no instance roles. Options print with the
//     secret redacted, and no error of this package contains it.
//   - Get of a missing key matches ErrNotExist; a missing bucket does not,
//     since it is a configuration error rather than an absent object.
//   - Names starting with ".mrioflow-" are the stores' own (temporary and
//     probe objects); keys may not use them and List hides them.
//   - List is a plain prefix match, as in S3: "year=20" matches
//     "year=2019/..." and "year=2020/...".
//   - A folder keeps empty sub-folders after Delete; S3 has none to keep.
package store

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
// is no streaming, no append and no partial read.
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

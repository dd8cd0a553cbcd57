//go:build nolapack

package openblas

// nolapack is set in builds with the nolapack tag, which leave dlopen out.
const nolapack = true

package testenv

import (
	"fmt"
	"os"
	"path/filepath"
)

// IsolateUserCache points the user's cache folder ($XDG_CACHE_HOME, where
// mrioflow's workers keep fetched tables by default) at a new temporary
// folder for the rest of the process and its children, so that tests
// neither fill the user's own cache nor find tables an earlier run left
// there. Go's build cache stays where it was: GOCACHE is set to it first.
// Call it from TestMain; the returned function removes the folder.
func IsolateUserCache() (cleanup func(), err error) {
	if os.Getenv("GOCACHE") == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("testenv: user cache folder: %w", err)
		}
		os.Setenv("GOCACHE", filepath.Join(base, "go-build"))
	}
	dir, err := os.MkdirTemp("", "mrioflow-usercache-")
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	return func() { os.RemoveAll(dir) }, nil
}

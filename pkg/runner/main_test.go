package runner_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/mrioflow/mrioflow/internal/testenv"
)

// TestMain keeps the table cache of runners made with a zero Options out
// of the user's own cache folder.
func TestMain(m *testing.M) {
	cleanup, err := testenv.IsolateUserCache()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

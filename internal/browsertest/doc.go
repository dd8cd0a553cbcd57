// Package browsertest opens pages in a headless Chromium for tests, and
// holds the end-to-end test of the coordinator's HTML reports.
//
// # A short tour
//
// Start runs Chromium with --remote-debugging-pipe: the Chrome DevTools
// Protocol travels as NUL-terminated JSON messages over two pipes (the
// browser reads commands on its descriptor 3 and writes answers and
// events on descriptor 4), so no port is opened and nothing but this
// process can talk to the browser. Browser.Open makes a new tab, loads a
// URL and waits until the document is complete; the Page then answers
// Eval (a JavaScript expression, its value decoded as JSON) and
// Screenshot (a PNG of the whole page or of a rectangle of it), and
// keeps every console message, log entry, uncaught exception and request
// URL it saw.
//
// The report test (report_test.go) builds the coordinator, runs the GA
// 2019 example and a two-year, two-scenario job on pymrio's test MRIO,
// writes their reports, and opens each in Chromium: no console error,
// no request outside file:, every figure drawn (its screenshot is not
// blank), and every number in the figures' tables equal to the Arrow
// outputs read with pkg/output.
//
// # Traps
//
//   - Find looks for $MRIOFLOW_CHROMIUM, then chromium, chromium-browser,
//     google-chrome-stable and google-chrome on PATH. Without a browser
//     the tests skip, unless MRIOFLOW_REQUIRE_BROWSER=1, which makes them
//     fail: set it in CI so that a missing browser cannot pass silently.
//     On Debian: apt-get install chromium fonts-liberation.
//   - The browser runs with --no-sandbox (tests often run as root in
//     containers) and without any background networking; host names do
//     not resolve, so a page that asks the network fails to load the
//     resource and the request shows in Page.Requests. Load only local
//     files.
//   - Chromium prints D-Bus and GPU complaints on its standard error in
//     containers. They are not console messages and are ignored; only
//     the protocol's Runtime and Log events count.
//   - A Browser is safe for use by one goroutine at a time.
package browsertest

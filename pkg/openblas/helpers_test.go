package openblas

import (
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

var start = time.Now()

func nowSeconds() float64 { return time.Since(start).Seconds() }

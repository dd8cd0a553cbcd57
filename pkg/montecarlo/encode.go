package montecarlo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// samplesMagic opens the binary form of Samples, with its version.
const samplesMagic = "mrioflow montecarlo samples 1\n"

// ErrSamples is wrapped by every error of UnmarshalBinary.
var ErrSamples = errors.New("montecarlo: malformed samples")

// MarshalBinary encodes s for storage between the tasks of one scenario:
// a header line, the first draw and the number of draws (uint64, little
// endian), the labels as JSON behind their length, then the values as
// float64, little endian, draw by draw. NaN (a null) survives the trip.
func (s *Samples) MarshalBinary() ([]byte, error) {
	if len(s.Values) != s.Count*len(s.Labels) {
		return nil, fmt.Errorf("montecarlo: samples hold %d values for %d draws of %d labels", len(s.Values), s.Count, len(s.Labels))
	}
	labels, err := json.Marshal(s.Labels)
	if err != nil {
		return nil, fmt.Errorf("montecarlo: encode labels: %w", err)
	}
	out := make([]byte, 0, len(samplesMagic)+24+len(labels)+8*len(s.Values))
	out = append(out, samplesMagic...)
	out = binary.LittleEndian.AppendUint64(out, uint64(s.First))
	out = binary.LittleEndian.AppendUint64(out, uint64(s.Count))
	out = binary.LittleEndian.AppendUint64(out, uint64(len(labels)))
	out = append(out, labels...)
	for _, v := range s.Values {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return out, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote into s. It returns an
// error wrapping ErrSamples, and saying what is wrong, for any other
// input; s is unchanged then.
func (s *Samples) UnmarshalBinary(data []byte) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrSamples}, args...)...)
	}
	rest, ok := bytes.CutPrefix(data, []byte(samplesMagic))
	if !ok {
		return fail("no header %q", samplesMagic[:len(samplesMagic)-1])
	}
	if len(rest) < 24 {
		return fail("%d bytes after the header, want at least 24", len(rest))
	}
	first := binary.LittleEndian.Uint64(rest)
	count := binary.LittleEndian.Uint64(rest[8:])
	size := binary.LittleEndian.Uint64(rest[16:])
	rest = rest[24:]
	if first > math.MaxInt32 || count > math.MaxInt32 {
		return fail("draws from %d, %d of them: out of range", first, count)
	}
	if size > uint64(len(rest)) {
		return fail("labels of %d bytes in %d", size, len(rest))
	}
	var labels []Label
	if err := json.Unmarshal(rest[:size], &labels); err != nil {
		return fail("labels: %v", err)
	}
	rest = rest[size:]
	want := count * uint64(len(labels)) * 8
	if uint64(len(rest)) != want || (len(labels) > 0 && want/uint64(len(labels))/8 != count) {
		return fail("%d bytes of values, want %d for %d draws of %d labels", len(rest), want, count, len(labels))
	}
	values := make([]float64, len(rest)/8)
	for i := range values {
		values[i] = math.Float64frombits(binary.LittleEndian.Uint64(rest[8*i:]))
	}
	*s = Samples{Labels: labels, First: int(first), Count: int(count), Values: values}
	return nil
}

package montecarlo

import "math"

// Standard normal numbers by the ziggurat method (Marsaglia and Tsang,
// 2000) with 256 layers: the area under exp(-x²/2) is covered by 255
// rectangles of equal area V and a base strip of the same area that
// also holds the tail beyond R. A draw picks a layer i and a point
// u·X[i] with u uniform in [-1, 1); when |u| < X[i+1]/X[i] the point
// lies under the curve for sure, which is the case in about 99 % of
// draws, and costs one 64-bit number, a comparison and a product.
// Otherwise the point is tested against the curve (the wedge) or, in
// the base layer, a tail value is drawn (Marsaglia's method for the
// tail beyond R).
//
//	X[0] = V / f(R),  X[1] = R,  X[i] = f⁻¹(V / X[i-1] + f(X[i-1])),  X[256] = 0
//	f(x) = exp(-x²/2),  f⁻¹(y) = √(-2 log y)
//
// The tables are computed at start-up with the package's own exp and
// log, so they are the same on every machine.
const (
	zigLayers = 256
	zigR      = 3.6541528853610088 // where the tail starts
	zigV      = 0.00492867323399   // area of each layer
	zigMask   = zigLayers - 1
	twoM53    = 1.0 / (1 << 53) // 2^-53
	twoM52    = 1.0 / (1 << 52) // 2^-52
)

var zigX, zigRatio = zigguratTables()

func zigguratTables() (x [zigLayers + 1]float64, ratio [zigLayers]float64) {
	f := expo(-0.5 * zigR * zigR)
	x[0] = zigV / f
	x[1] = zigR
	for i := 2; i < zigLayers; i++ {
		x[i] = math.Sqrt(-2 * loge(zigV/x[i-1]+f))
		f = expo(-0.5 * float64(x[i]*x[i]))
	}
	x[zigLayers] = 0
	for i := range ratio {
		ratio[i] = x[i+1] / x[i]
	}
	return x, ratio
}

// open01 returns a uniform number in (0, 1) from the top 53 bits of b.
func open01(b uint64) float64 {
	return (float64(b>>11) + 0.5) * twoM53
}

// normal returns a standard normal number drawn with src's bits: the low
// 8 bits of a 64-bit number choose the layer and the top 53 the point.
func normal(src *xoshiro) float64 {
	for {
		b := src.Uint64()
		i := b & zigMask
		u := float64(int64(b)>>11) * twoM52 // in [-1, 1)
		if math.Abs(u) < zigRatio[i] {
			return u * zigX[i]
		}
		if i == 0 {
			return normalTail(src, u < 0)
		}
		x := u * zigX[i]
		xx := float64(x * x)
		f0 := expo(-0.5 * (float64(zigX[i]*zigX[i]) - xx))
		f1 := expo(-0.5 * (float64(zigX[i+1]*zigX[i+1]) - xx))
		if f1+float64(open01(src.Uint64())*(f0-f1)) < 1 {
			return x
		}
	}
}

// normalTail returns a normal number beyond R (below -R when negative).
func normalTail(src *xoshiro, negative bool) float64 {
	for {
		x := loge(open01(src.Uint64())) / zigR
		y := loge(open01(src.Uint64()))
		if -2*y >= float64(x*x) {
			if negative {
				return x - zigR
			}
			return zigR - x
		}
	}
}

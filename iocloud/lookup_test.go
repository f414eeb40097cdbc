package iocloud

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var lookupHardware = []Hardware{
	{ID: 7, Name: "H100 80GB HBM3"},
	{ID: 8, Name: "H100 80GB PCIe"},
	{ID: 15, Name: "A100 80GB SXM"},
	{ID: 30, Name: "L40S 48GB"},
	{ID: 41, Name: "RTX 4090 24GB"},
	{ID: 203, Name: "H200 141GB HBM3e"},
	{ID: 300, Name: "H200"}, // a name that is part of another
}

func TestFindHardwareMatches(t *testing.T) {
	t.Parallel()
	tests := map[string]int{
		"7":                  7,
		" 203 ":              203,
		"H100 80GB HBM3":     7,
		"h100   80gb   pcie": 8,
		"a100":               15,
		"l40s":               30,
		"4090":               41, // a number that is no id is a name part
		"rtx4090":            41,
		"RTX 4090":           41,
		"h100 pcie":          8, // every word somewhere in the name
		"hbm3e":              203,
		"H200":               300, // the exact name wins over a longer one containing it
		"h200 141":           203,
		"300":                300,
	}
	for query, want := range tests {
		h, err := findHardware(lookupHardware, query)
		require.NoError(t, err, query)
		assert.Equal(t, want, h.ID, query)
	}
}

func TestFindHardwareAmbiguous(t *testing.T) {
	t.Parallel()
	for query, matches := range map[string][]string{
		"h100":      {"H100 80GB HBM3", "H100 80GB PCIe"},
		"80gb":      {"H100 80GB HBM3", "H100 80GB PCIe", "A100 80GB SXM"},
		"hbm3":      {"H100 80GB HBM3", "H200 141GB HBM3e"},
		"80":        {"H100 80GB HBM3", "H100 80GB PCIe", "A100 80GB SXM"},
		"NVIDIA H1": {},
	} {
		_, err := findHardware(lookupHardware, query)
		require.ErrorIs(t, err, ErrUnknownHardware, query)
		var le *HardwareLookupError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, query, le.Query)
		assert.Len(t, le.Valid, len(lookupHardware))
		if len(matches) == 0 {
			assert.False(t, le.Ambiguous, query)
			continue
		}
		assert.True(t, le.Ambiguous, query)
		assert.Equal(t, matches, le.Matches, query)
		assert.Contains(t, err.Error(), "matches more than one type")
	}
}

func TestFindHardwareUnknown(t *testing.T) {
	t.Parallel()
	for _, query := range []string{"", "  ", "B200", "9999", "-7", "h100 sxm"} {
		_, err := findHardware(lookupHardware, query)
		var le *HardwareLookupError
		require.ErrorAs(t, err, &le, query)
		assert.False(t, le.Ambiguous)
		assert.Empty(t, le.Matches)
		for _, name := range []string{"H100 80GB HBM3", "RTX 4090 24GB", "H200 141GB HBM3e"} {
			assert.Contains(t, err.Error(), name, "the error lists the valid names")
			assert.Contains(t, testHints.Advice(err), name)
		}
	}
	_, err := findHardware(lookupHardware, "B200")
	assert.Equal(t, `unknown hardware "B200". Valid names: H100 80GB HBM3, H100 80GB PCIe, A100 80GB SXM, L40S 48GB, RTX 4090 24GB, H200 141GB HBM3e, H200`, err.Error())
	_, err = findHardware(nil, "x")
	assert.Contains(t, err.Error(), "io.net lists no hardware")
}

func TestHardwareLookupErrorKeepsQueryShortAndPrintable(t *testing.T) {
	t.Parallel()
	_, err := findHardware(lookupHardware, "evil\n<!channel>"+string(make([]byte, 500)))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
	assert.Less(t, len(err.Error()), 400)
}

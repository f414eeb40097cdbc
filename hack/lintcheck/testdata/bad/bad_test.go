package bad

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMistakes(t *testing.T) {
	xs := []int{1, 2, 3}
	assert.Equal(t, 3, len(xs)) // want: testifylint
	err := errors.New("x")
	assert.Nil(t, err)              // want: testifylint
	assert.Equal(t, badlySpaced, 1) // want: testifylint
}

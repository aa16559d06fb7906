//go:build race

package treehash

const raceEnabled = true

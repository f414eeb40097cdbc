package tools

// Matching is completer's filter, for the tests of the protocol's limit
// (the sandbox has far fewer than 100 of anything).
var Matching = matching

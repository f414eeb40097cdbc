package guard

// EpochKey is where the store keeps its epoch, for tests that hand-seal
// tickets against a store prepared in advance.
const EpochKey = epochKey

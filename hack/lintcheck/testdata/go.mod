// A throwaway module of deliberate mistakes for hack/lintcheck/check.sh. It
// sits under testdata/ with its own go.mod, so the product's ./... never sees it.
module example.com/lintcheck

go 1.26.0

require github.com/stretchr/testify v1.12.1

require go.yaml.in/yaml/v3 v3.0.5 // indirect

// A throwaway module for scripts/vulncheck.sh: it calls a vulnerable function
// on purpose, so the vulnerability gate must report it.
module example.com/vulncheck

go 1.26.0

require golang.org/x/text v0.3.7

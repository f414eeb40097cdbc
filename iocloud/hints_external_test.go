package iocloud_test

import "github.com/iocloud-chatops/iocloud/iocloud"

var testHints = iocloud.TestHints

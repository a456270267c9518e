module loopback-go-client

go 1.19

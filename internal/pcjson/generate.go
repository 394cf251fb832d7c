package pcjson

//go:generate go run ./gen decode.gen.go

// Package wrapper is the Go client for Partner Center's zero-touch deployment
// device batches: the package users call.
//
// It wraps the client generated from openapi/partnercenter.yaml (package
// generated) and adds what the service needs and the generated code does not
// know: Microsoft Entra ID tokens, Partner Center's request headers
// (MS-RequestId, MS-CorrelationId, X-Locale), input checks made before any
// network I/O, one typed error per failure kind, retries that honour
// throttling, and paging through continuation tokens.
//
// Create one Client and share it: it is safe for concurrent use, and its
// credential caches tokens across calls.
//
//	cred, _ := azidentity.NewDefaultAzureCredential(nil)
//	client, _ := wrapper.NewClient(cred, nil)
//	batches, err := client.ListDeviceBatches(ctx, customerID)
//
// Errors: inspect them with errors.As. *ResponseError is a non-2xx answer
// (status, Partner Center code and description, request and correlation ids,
// Retry-After); *DecodeError is a 2xx answer whose body does not parse, or
// an accepted upload whose status link is missing or cannot be used (its
// message says the request was accepted: do not send it again);
// *InvalidArgumentError is input refused before any request was made;
// *NetworkError is a request that got no answer (reset, TLS, timeout), with
// the ids it was sent with; *ThrottlePauseError a call refused, before
// sending, while a long Retry-After pauses the Client; *PagingError a
// listing that cannot be followed (a loop, more than Limits.MaxPages
// pages). No error ever shows the bearer
// token: echoed back by a server, it is replaced by REDACTED. What a server
// can make the client read is bounded by ClientOptions.Limits.
package wrapper

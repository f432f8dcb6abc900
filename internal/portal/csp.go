package portal

import (
	"crypto/sha256"
	"encoding/base64"
)

// CSPHash is the Content-Security-Policy source that allows an inline
// script or style with exactly this content: 'sha256-BASE64'. The unlock
// page and the preview's reload script both name their own this way.
func CSPHash(content []byte) string {
	sum := sha256.Sum256(content)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

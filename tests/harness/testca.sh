#!/bin/sh
#
# testca.sh - a throwaway certificate authority for the SMTP tests
#
# Usage: tests/harness/testca.sh DIR
#
# Makes, with EC (P-256) keys and without a prompt:
#   DIR/ca.pem, DIR/ca.key         the test CA
#   DIR/server.pem, DIR/server.key a server certificate signed by it for
#                                  IP:127.0.0.1 and DNS:localhost
#   DIR/wrong.pem, DIR/wrong.key   a certificate signed by it for another
#                                  name only (DNS:mail.invalid)
#   DIR/other-ca.pem               an unrelated CA that signed none of these
# Every certificate is valid from now for 30 days.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 64
fi
dir=$1
mkdir -p "$dir"
cd "$dir"

# The openssl(1) configuration: a CA profile and a server profile.
cat >testca.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = closeloop test
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[wrong]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:mail.invalid
authorityKeyIdentifier = keyid
EOF

# testca_ca NAME CN: a self-signed CA certificate NAME.pem and key NAME.key.
testca_ca() {
	openssl req -x509 -config testca.cnf -extensions ca \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.pem" -days 30 -subj "/CN=$2" \
	    2>/dev/null
}

# testca_leaf NAME PROFILE CN: NAME.pem and NAME.key signed by the test CA.
testca_leaf() {
	openssl req -new -config testca.cnf \
	    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$3" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
	    -set_serial "0x$(openssl rand -hex 8)" -days 30 \
	    -extfile testca.cnf -extensions "$2" -out "$1.pem" 2>/dev/null
	rm -f "$1.csr"
}

testca_ca ca "closeloop test CA"
testca_ca other-ca "closeloop unrelated CA"
rm -f other-ca.key
testca_leaf server server localhost
testca_leaf wrong wrong mail.invalid
chmod 600 ./*.key

# Sourced by bench/matrix.sh and bench/tls.sh: a test certificate, and the TLS and WebSocket listeners of the
# brokers under test. Needs openssl. The distribution ships the TLS and WebSocket transports (deploy/) and
# netty-tcnative for OPENSSL (system/2/, Linux x86_64): a listener is one configuration file in etc/.

# make_cert DIR: DIR/server.pem and DIR/server.key, a self-signed P-256 certificate for 127.0.0.1 and localhost,
# valid for two days; the load tool trusts it with --cafile DIR/server.pem
make_cert() {
  command -v openssl >/dev/null || fail "openssl not found: it makes the test certificate"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=cairn-bench \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$1/server.key" -out "$1/server.pem" 2>/dev/null \
    || fail "openssl could not make a certificate in $1"
}

# cairn_tls_listener HOME NAME PORT PROVIDER: a TLS listener (etc/io.cairn.transport.tls-NAME.cfg) on 127.0.0.1:PORT
# with provider JDK or OPENSSL and the certificate of make_cert HOME/etc/tls
cairn_tls_listener() {
  local home=$1 name=$2 port=$3 provider=$4
  [[ $provider == JDK || $provider == OPENSSL ]] || fail "TLS_PROVIDER: $provider is neither JDK nor OPENSSL"
  mkdir -p "$home/etc/tls"
  [[ -f "$home/etc/tls/server.pem" ]] || cp "$CERT_DIR/server.pem" "$CERT_DIR/server.key" "$home/etc/tls/"
  printf 'host = 127.0.0.1\nport = %s\ncertificateFile = etc/tls/server.pem\nkeyFile = etc/tls/server.key\nallowAnonymous = true\nprovider = %s\n' \
    "$port" "$provider" >"$home/etc/io.cairn.transport.tls-$name.cfg"
}

# cairn_ws_listener HOME NAME PORT SECURE PROVIDER: a WebSocket listener (etc/io.cairn.transport.ws-NAME.cfg) on
# 127.0.0.1:PORT, path /mqtt; with SECURE true it is wss with provider JDK or OPENSSL and the certificate of make_cert
cairn_ws_listener() {
  local home=$1 name=$2 port=$3 secure=$4 provider=$5
  printf 'host = 127.0.0.1\nport = %s\npath = /mqtt\nallowAnonymous = true\n' "$port" \
    >"$home/etc/io.cairn.transport.ws-$name.cfg"
  if [[ $secure == true ]]; then
    [[ $provider == JDK || $provider == OPENSSL ]] || fail "TLS_PROVIDER: $provider is neither JDK nor OPENSSL"
    mkdir -p "$home/etc/tls"
    [[ -f "$home/etc/tls/server.pem" ]] || cp "$CERT_DIR/server.pem" "$CERT_DIR/server.key" "$home/etc/tls/"
    printf 'tls = true\ncertificateFile = etc/tls/server.pem\nkeyFile = etc/tls/server.key\nprovider = %s\n' \
      "$provider" >>"$home/etc/io.cairn.transport.ws-$name.cfg"
  fi
}

# cairn_await_ws LOG NAME SCHEME: waits until Cairn's log says listener NAME is bound to SCHEME (ws or wss)
cairn_await_ws() {
  local log=$1 name=$2 scheme=$3
  for _ in $(seq 150); do
    if grep -q "Listener $name bound to $scheme://" "$log"; then return 0; fi
    sleep 0.2
  done
  fail "Cairn's WebSocket listener $name did not start in 30 s (see $log)"
}

# cairn_await_tls LOG NAME PROVIDER: waits until Cairn's log says listener NAME is bound with PROVIDER
cairn_await_tls() {
  local log=$1 name=$2 provider=$3
  for _ in $(seq 150); do
    if grep -q "Listener $name bound to mqtts://.* with the $provider TLS provider" "$log"; then return 0; fi
    sleep 0.2
  done
  fail "Cairn's TLS listener $name did not start with provider $provider in 30 s (see $log)"
}

# mosquitto_listener TRANSPORT PORT: the lines of a Mosquitto listener for tcp, tls, ws or wss on 127.0.0.1:PORT
# (tls and wss with the certificate of make_cert in CERT_DIR)
mosquitto_listener() {
  local transport=$1 port=$2
  echo "listener $port 127.0.0.1"
  [[ $transport == ws || $transport == wss ]] && echo "protocol websockets"
  if [[ $transport == tls || $transport == wss ]]; then
    echo "certfile $CERT_DIR/server.pem"
    echo "keyfile $CERT_DIR/server.key"
  fi
  return 0
}

# client_options TRANSPORT: the load tool's options for it (CLIENT_TLS_PROVIDER: auto, jdk or openssl)
client_options() {
  case $1 in
    tcp) ;;
    tls) echo "--tls --cafile $CERT_DIR/server.pem --tls-provider ${CLIENT_TLS_PROVIDER:-auto}" ;;
    ws) echo "--ws /mqtt" ;;
    wss) echo "--ws /mqtt --tls --cafile $CERT_DIR/server.pem --tls-provider ${CLIENT_TLS_PROVIDER:-auto}" ;;
    *) fail "TRANSPORT: $1 is none of tcp, tls, ws, wss" ;;
  esac
}

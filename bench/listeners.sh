# Sourced by bench/matrix.sh and bench/tls.sh: a test certificate, and the TLS and WebSocket listeners of the
# brokers under test. Needs openssl; OPENSSL listeners in Cairn need netty-tcnative in the local Maven repository
# (M2_REPO, default ~/.m2/repository) until the distribution ships it.

# make_cert DIR: DIR/server.pem and DIR/server.key, a self-signed P-256 certificate for 127.0.0.1 and localhost,
# valid for two days; the load tool trusts it with --cafile DIR/server.pem
make_cert() {
  command -v openssl >/dev/null || fail "openssl not found: it makes the test certificate"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=cairn-bench \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$1/server.key" -out "$1/server.pem" 2>/dev/null \
    || fail "openssl could not make a certificate in $1"
}

# cairn_install_tls ROOT HOME: puts the TLS listener bundle into the Cairn copy HOME (deploy/), and netty-tcnative
# (classes and the linux-x86_64 BoringSSL fragment) into its system/2/ next to netty-handler, so that the OPENSSL
# provider loads; both only when the distribution does not ship them
cairn_install_tls() {
  local root=$1 home=$2 bundle version m2 classes native
  if ! compgen -G "$home/plugins/cairn-transport-tls-*.jar" >/dev/null; then
    bundle=$(find "$root/transport-tls/target" -maxdepth 1 -name 'cairn-transport-tls-*.jar' \
      ! -name '*-tests.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar' 2>/dev/null | head -1)
    [[ -n "$bundle" ]] || fail "transport-tls/target has no bundle jar: build first with 'mvn -B -q package -DskipTests'"
    cp "$bundle" "$home/deploy/"
  else
    cp "$home"/plugins/cairn-transport-tls-*.jar "$home/deploy/"
  fi
  if ! compgen -G "$home/system/*/netty-tcnative-classes-*.jar" >/dev/null; then
    version=$(sed -n 's|.*<tcnative.version>\(.*\)</tcnative.version>.*|\1|p' "$root/pom.xml" | head -1)
    m2=${M2_REPO:-$HOME/.m2/repository}/io/netty
    classes=$m2/netty-tcnative-classes/$version/netty-tcnative-classes-$version.jar
    native=$m2/netty-tcnative-boringssl-static/$version/netty-tcnative-boringssl-static-$version-linux-x86_64.jar
    if [[ -f "$classes" && -f "$native" ]]; then
      cp "$classes" "$native" "$home/system/2/"
    else
      echo "listeners: netty-tcnative $version not in ${M2_REPO:-~/.m2/repository}: Cairn's OPENSSL listeners will not start" >&2
    fi
  fi
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

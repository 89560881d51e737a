// A remote-controlled MQTT.js client for MqttJs5InteropTest (kernel/src/test/java/io/cairn/kernel/interop/v5).
//
// Usage: node driver.mjs PORT
//
// Reads one JSON command per line on stdin and answers each with one JSON line on stdout:
//   {"id": 1, "op": "connect", "client": "a", "options": {...}}      -> {"reply": 1, "ok": true, "connack": {...}}
//   {"id": 2, "op": "subscribe", "client": "a", "subscriptions": {"t/#": {"qos": 1}}, "options": {...}}
//                                                                     -> {"reply": 2, "ok": true, "granted": [1]}
//   {"id": 3, "op": "publish", "client": "a", "topic": "t/1", "payload": "x", "options": {...}}
//   {"id": 4, "op": "unsubscribe", "client": "a", "topics": ["t/#"]}
//   {"id": 8, "op": "publishAll", "client": "a", "messages": [{"topic": ..., "payload": ..., "options": {...}}]}
//   {"id": 5, "op": "end", "client": "a", "options": {"reasonCode": 4}}   DISCONNECT, then close
//   {"id": 6, "op": "crash", "client": "a"}                               close the socket without DISCONNECT
//   {"id": 7, "op": "exit"}
// A failed command answers {"reply": n, "ok": false, "error": "...", "code": reasonCode}. Several named clients
// may live in one process. What arrives unasked is printed as an event line:
//   {"event": "message", "client": "a", "topic": ..., "payload": ..., "qos": ..., "retain": ..., "properties": {...}}
//   {"event": "disconnect", "client": "a", "reasonCode": ..., "properties": {...}}   (a DISCONNECT from the server)
//   {"event": "close", "client": "a"}
//   {"event": "error", "client": "a", "error": "...", "code": ...}                 (after the connection was up)
// Binary values travel as {"$hex": "00ff"} both ways (Correlation Data, payloads that are not text).
import mqtt from 'mqtt'
import readline from 'node:readline'

const port = Number(process.argv[2])
const clients = new Map()

function out(object) {
  process.stdout.write(JSON.stringify(object, (key, value) => {
    if (value && value.type === 'Buffer' && Array.isArray(value.data)) {
      return { $hex: Buffer.from(value.data).toString('hex') }
    }
    return value
  }) + '\n')
}

// {"$hex": "..."} anywhere in a command becomes a Buffer
function revive(value) {
  if (Array.isArray(value)) {
    return value.map(revive)
  }
  if (value && typeof value === 'object') {
    if (typeof value.$hex === 'string') {
      return Buffer.from(value.$hex, 'hex')
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]))
  }
  return value
}

function client(name) {
  const c = clients.get(name)
  if (!c) {
    throw new Error(`no client named ${name}`)
  }
  return c
}

function connect(name, options) {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${options.port ?? port}`, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...options,
    })
    clients.set(name, c)
    c.on('message', (topic, payload, packet) => {
      out({
        event: 'message', client: name, topic, payload: payload.toString('utf8'), payloadHex: payload.toString('hex'),
        qos: packet.qos, retain: packet.retain, properties: packet.properties ?? {},
      })
    })
    c.on('disconnect', (packet) => {
      out({ event: 'disconnect', client: name, reasonCode: packet.reasonCode ?? 0, properties: packet.properties ?? {} })
    })
    c.on('close', () => out({ event: 'close', client: name }))
    let connected = false
    c.once('connect', (connack) => {
      connected = true
      resolve({ sessionPresent: connack.sessionPresent, reasonCode: connack.reasonCode, properties: connack.properties ?? {} })
    })
    c.on('error', (err) => {
      if (connected) {
        out({ event: 'error', client: name, error: err.message, code: err.code })
      } else {
        c.end(true)
        reject(err)
      }
    })
  })
}

function subscribe(c, subscriptions, options) {
  return new Promise((resolve, reject) => {
    c.subscribe(subscriptions, options ?? {}, (err, subs, packet) => {
      if (err && !packet) {
        reject(err)
        return
      }
      // the SUBACK's reason codes, refusals included (MQTT.js reports a refusal as an error)
      resolve({ granted: packet.granted, error: err ? err.message : undefined })
    })
  })
}

async function run(command) {
  const name = command.client ?? 'default'
  const options = revive(command.options ?? {})
  switch (command.op) {
    case 'connect':
      return { connack: await connect(name, options) }
    case 'subscribe':
      return subscribe(client(name), revive(command.subscriptions), options)
    case 'unsubscribe':
      return { unsuback: await client(name).unsubscribeAsync(command.topics, options) }
    case 'publish': {
      const payload = typeof command.payload === 'string' ? command.payload : revive(command.payload)
      await client(name).publishAsync(command.topic, payload, options)
      return {}
    }
    case 'publishAll':
      // one after the other, each flow complete before the next: many messages without a round trip each
      for (const m of command.messages) {
        await client(name).publishAsync(m.topic, m.payload, revive(m.options ?? {}))
      }
      return {}
    case 'end':
      await client(name).endAsync(false, options)
      return {}
    case 'crash':
      client(name).stream.destroy()
      return {}
    case 'exit':
      setImmediate(() => process.exit(0))
      return {}
    default:
      throw new Error(`unknown op ${command.op}`)
  }
}

const input = readline.createInterface({ input: process.stdin })
input.on('line', (line) => {
  let command
  try {
    command = JSON.parse(line)
  } catch (e) {
    out({ event: 'bad-command', line, error: e.message })
    return
  }
  run(command).then(
    (result) => out({ reply: command.id, ok: true, ...result }),
    (err) => out({ reply: command.id, ok: false, error: err.message, code: err.code }))
})
// the test closes stdin when it is done with this process
input.on('close', () => {
  for (const c of clients.values()) {
    c.end(true)
  }
  setTimeout(() => process.exit(0), 200).unref()
})

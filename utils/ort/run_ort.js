#!/usr/bin/env node
// Reference runner: executes an ONNX model with onnxruntime-node (CPU) on
// inputs in the ONNX test-data layout and writes the outputs in the same
// layout, so they can serve as `--expected` data for dojo-sim.
//
//   node utils/ort/run_ort.js MODEL.onnx IN_DIR OUT_DIR [--threads N] [--time]
//
// IN_DIR holds input_0.pb, input_1.pb, ... (serialized onnx.TensorProto);
// OUT_DIR receives output_0.pb, ... in the model's output order. With
// --time the run is repeated a few times and the median latency is printed.

'use strict';

const fs = require('fs');
const path = require('path');
const { decodeTensor, encodeTensor, ORT_TO_ONNX } = require('./tensor_proto');

function usage(msg) {
  if (msg) console.error(`run_ort: ${msg}`);
  console.error('usage: node run_ort.js MODEL.onnx IN_DIR OUT_DIR [--threads N] [--time]');
  process.exit(2);
}

function parseArgs(argv) {
  const pos = [];
  let threads = 1, time = false;
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--threads') {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 1) usage('--threads needs a positive integer');
    } else if (a.startsWith('--threads=')) {
      threads = Number(a.slice('--threads='.length));
      if (!Number.isInteger(threads) || threads < 1) usage('--threads needs a positive integer');
    } else if (a === '--time') {
      time = true;
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else {
      pos.push(a);
    }
  }
  if (pos.length !== 3) usage('expected MODEL.onnx IN_DIR OUT_DIR');
  return { model: pos[0], inDir: pos[1], outDir: pos[2], threads, time };
}

// Lists DIR/PREFIX_<n>.pb in numeric order, requiring no gaps.
function numberedFiles(dir, prefix) {
  const re = new RegExp(`^${prefix}_(\\d+)\\.pb$`);
  const found = fs.readdirSync(dir)
      .map((f) => [f, re.exec(f)]).filter(([, m]) => m)
      .map(([f, m]) => [Number(m[1]), f]).sort((a, b) => a[0] - b[0]);
  found.forEach(([n], i) => {
    if (n !== i) throw new Error(`${dir}: ${prefix}_${i}.pb is missing`);
  });
  return found.map(([, f]) => path.join(dir, f));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require('onnxruntime-node');
  } catch (e) {
    throw new Error('onnxruntime-node is not installed; run utils/install-deps.sh');
  }
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // Warnings (e.g. about old opsets in the test corpus) are noise here.
    logSeverityLevel: 3,
  });

  const files = numberedFiles(args.inDir, 'input');
  if (files.length !== session.inputNames.length)
    throw new Error(`model has ${session.inputNames.length} inputs, ${args.inDir} has ${files.length}`);
  const feeds = {};
  files.forEach((file, i) => {
    let t;
    try {
      t = decodeTensor(fs.readFileSync(file));
    } catch (e) {
      throw new Error(`${file}: ${e.message}`);
    }
    // Test data normally names its tensors; fall back to position if not.
    const name = session.inputNames.includes(t.name) ? t.name : session.inputNames[i];
    const type = Object.keys(ORT_TO_ONNX).find((k) => ORT_TO_ONNX[k] === t.dataType);
    feeds[name] = new ort.Tensor(type, t.data, t.dims);
  });

  let results = await session.run(feeds);
  if (args.time) {
    const times = [];
    for (let i = 0; i < 5; ++i) {
      const t0 = process.hrtime.bigint();
      results = await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`ort: median ${times[2].toFixed(3)} ms over 5 runs, ${args.threads} thread(s)`);
  }

  fs.mkdirSync(args.outDir, { recursive: true });
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const dataType = ORT_TO_ONNX[t.type];
    if (dataType === undefined) throw new Error(`output ${name} has unsupported type ${t.type}`);
    const bytes = encodeTensor({ name, dataType, dims: t.dims, data: t.data });
    fs.writeFileSync(path.join(args.outDir, `output_${i}.pb`), bytes);
  });
  console.log(`ort: wrote ${session.outputNames.length} output(s) to ${args.outDir}`);
}

main().catch((e) => {
  console.error(`run_ort: ${e.message.split('\n')[0]}`);
  process.exit(1);
});

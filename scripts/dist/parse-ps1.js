#!/usr/bin/env node
// Parses a PowerShell script with tree-sitter's PowerShell grammar (the npm packages
// web-tree-sitter and tree-sitter-powershell, WebAssembly: nothing native to build) and
// fails on any syntax error, with its line and column. Run by test-installers.sh where
// no pwsh is installed; the release workflow runs install.ps1 for real on Windows.
//
// Usage: NODE_PATH=DIR_WITH_node_modules node parse-ps1.js FILE.ps1
"use strict";

const fs = require("fs");
const path = require("path");

async function main() {
  const file = process.argv[2];
  const { Parser, Language } = require("web-tree-sitter");
  await Parser.init();
  const grammar = path.join(
    path.dirname(require.resolve("tree-sitter-powershell/package.json")),
    "tree-sitter-powershell.wasm",
  );
  const language = await Language.load(grammar);
  const parser = new Parser();
  parser.setLanguage(language);
  const tree = parser.parse(fs.readFileSync(file, "utf8"));
  const problems = [];
  const walk = (node) => {
    if (node.type === "ERROR" || node.isMissing) {
      const at = node.startPosition;
      problems.push(`${file}:${at.row + 1}:${at.column + 1}: ${node.isMissing ? "missing " + node.type : "syntax error"}`);
      return;
    }
    for (const child of node.children) walk(child);
  };
  walk(tree.rootNode);
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`parse-ps1: ${err.message}`);
  process.exit(2);
});

process.stderr.write("riskq CLI: not built yet\\n");
process.exit(1);

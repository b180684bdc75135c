const t=performance.now();
const {default: yargs} = await import('yargs/yargs');
console.error('import',performance.now()-t);

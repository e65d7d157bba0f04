// The UI's strings in English and Simplified Chinese. Every key exists in both languages (the compiler
// checks it: `zh` must be a Record of `en`'s keys). Strings are plain text, rendered as text, never as HTML;
// `{name}` placeholders are filled by `translate`.

import * as compareStrings from './compare/strings.ts';
import * as rlhfStrings from './rlhf/strings.ts';
import * as sftStrings from './sft/strings.ts';
import * as tourStrings from './tour/strings.ts';

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

/** Each language's name in itself, for the toggle; and its BCP 47 tag, for <html lang>. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', zh: '简体中文' };
export const LANG_TAGS: Record<Lang, string> = { en: 'en', zh: 'zh-CN' };

const baseEn = {
  'app.title': 'LLM stages playground',
  'app.tagline':
    'Train a small GPT from nothing on your own GPU, turn it into an assistant, and compare every stage side by side.',
  'app.private': 'Everything runs in this browser tab on your GPU; nothing is uploaded.',
  'lang.label': 'Language',

  'tabs.label': 'Training stages',
  'tab.pretrain': 'Pretrain',
  'tab.sft': 'SFT',
  'tab.rlhf': 'RLHF',
  'tab.compare': 'Compare',
  'stage.coming': 'Coming soon',
  'stage.pretrain.title': 'Pretraining: a base model',
  'stage.pretrain.body':
    'Train a GPT from random weights on a text corpus. The result completes documents: it continues whatever text it is given, and does not yet answer questions.',
  'stage.sft.title': 'Supervised fine-tuning (SFT)',
  'stage.sft.body':
    'Fine-tune the base model on question-and-answer pairs, so that it replies to a question the way an assistant would.',
  'stage.rlhf.title': 'Reinforcement learning from human feedback (RLHF)',
  'stage.rlhf.body':
    'Rank several answers to the same prompt, train a reward model on the rankings, then optimise the assistant against it with PPO, or directly from the rankings with DPO.',
  'stage.compare.title': 'Compare the stages',
  'stage.compare.body':
    'Send one prompt to every stage (the base model, the base model with prompt engineering, SFT and RLHF) and read the answers side by side.',

  'gpu.checking': 'Starting the GPU engine…',
  'gpu.ready': 'WebGPU is ready in the engine worker:',
  'gpu.vendor': 'Vendor',
  'gpu.architecture': 'Architecture',
  'gpu.device': 'Device',
  'gpu.description': 'Description',
  'gpu.unknown': 'not reported',
  'gpu.limits': 'Key limits',
  'gpu.features': 'Optional features',
  'gpu.none': 'none',
  'gpu.software':
    'This is a software renderer (SwiftShader): everything works, but training is many times slower than on a GPU.',
  'limit.maxBufferSize': 'Largest buffer',
  'limit.maxStorageBufferBindingSize': 'Largest storage binding',
  'limit.maxComputeWorkgroupStorageSize': 'Workgroup shared memory',
  'limit.maxComputeInvocationsPerWorkgroup': 'Threads per workgroup',
  'limit.maxComputeWorkgroupSizeX': 'Workgroup size (x)',
  'limit.maxComputeWorkgroupsPerDimension': 'Workgroups per dimension',
  'limit.maxStorageBuffersPerShaderStage': 'Storage buffers per shader',

  'nogpu.title.insecure': 'WebGPU needs a secure page',
  'nogpu.title.missing': 'This browser has no WebGPU',
  'nogpu.title.no-adapter': 'WebGPU found no usable GPU',
  'nogpu.title.failed': 'The GPU engine could not start',
  'nogpu.why.insecure':
    'This page was opened from {origin}, which is not a secure context, so the browser hides WebGPU from it.',
  'nogpu.why.missing':
    'navigator.gpu is not defined: the browser is too old, or WebGPU is switched off in it.',
  'nogpu.why.no-adapter':
    'navigator.gpu exists, but requestAdapter() returned no adapter: WebGPU is blocked for this GPU or driver, or not enabled on this platform.',
  'nogpu.why.failed': 'The engine reported: {message}',
  'nogpu.todo': 'What to do',
  'nogpu.todo.browser': 'Use Chrome or Edge 113 or newer on a desktop.',
  'nogpu.todo.flag':
    'On Linux, turn on chrome://flags/#enable-unsafe-webgpu (or start Chrome with --enable-unsafe-webgpu) and restart the browser.',
  'nogpu.todo.origin':
    'Open the playground from http://localhost or http://127.0.0.1 (the address npm start prints), or over https.',
  'nogpu.todo.drivers':
    'Update your GPU drivers: Chrome turns WebGPU off on some old drivers (chrome://gpu shows why).',
  'nogpu.todo.software':
    'No GPU at all? Chromium runs WebGPU in software (SwiftShader), slowly: on Debian or Ubuntu install the chromium and libvulkan1 packages.',

  'lost.title': 'The GPU device was lost',
  'lost.body': 'Reason: {reason}. Reload the page to start a new device.',
  'lost.reload': 'Reload',

  'pt.section.corpus': 'Corpus',
  'pt.section.tokenizer': 'Tokenizer',
  'pt.section.model': 'Model',
  'pt.section.train': 'Training',
  'pt.section.checkpoints': 'Checkpoints',
  'pt.section.sample': 'Sample from a checkpoint',

  'pt.corpus.legend': 'Text to learn from',
  'pt.corpus.generated': 'generated here, no download',
  'pt.corpus.download': 'downloads {size}',
  'pt.corpus.factsSize': 'World size',
  'pt.corpus.size.tiny': 'tiny (~0.6 MB of text)',
  'pt.corpus.size.small': 'small (~1.7 MB)',
  'pt.corpus.size.full': 'full (~3.6 MB)',
  'pt.corpus.own': 'Your own text',
  'pt.corpus.ownDesc': 'A plain-text .txt file in UTF-8. It is read in this tab and never leaves your computer.',
  'pt.corpus.dropLabel': 'Drop a text file here',
  'pt.corpus.drop': 'Drop a .txt file here, or',
  'pt.corpus.choose': 'choose a file…',
  'pt.corpus.private': 'Nothing is uploaded.',
  'pt.corpus.loaded': 'Loaded: {name}',
  'pt.corpus.loading': 'Loading the corpus…',
  'pt.corpus.readError': 'Could not read {name}: {message}',
  'pt.corpus.name': 'Corpus',
  'pt.corpus.size': 'Size',
  'pt.corpus.chars': 'Characters',
  'pt.corpus.distinct': 'Distinct characters',
  'pt.corpus.lines': 'Lines',
  'pt.corpus.tokens': 'Tokens',
  'pt.corpus.tokensUnknown': 'build the tokenizer to count them',
  'pt.corpus.sample': 'How it begins',

  'pt.tok.legend': 'How text becomes tokens',
  'pt.tok.char': 'Characters',
  'pt.tok.charDesc': 'one token per character: a tiny vocabulary, long sequences.',
  'pt.tok.bpe': 'Byte-pair encoding (BPE)',
  'pt.tok.bpeDesc': 'learns frequent chunks of text, as GPT-2 does: a bigger vocabulary, shorter sequences.',
  'pt.tok.vocab': 'Vocabulary size',
  'pt.tok.vocabRange': 'The BPE vocabulary must be a whole number from {min} to {max}.',
  'pt.tok.build': 'Build the tokenizer',
  'pt.tok.rebuild': 'Build again',
  'pt.tok.progress': 'Tokenizer training progress',
  'pt.tok.training': 'Training the tokenizer… {pct}%',
  'pt.tok.summary': 'Vocabulary: {vocab} tokens. The corpus is {tokens} tokens ({ratio} characters per token). Built in {ms} ms.',
  'pt.tok.optional': 'Optional: building it now shows the token count and the token view; training builds it anyway.',
  'pt.tok.viewLabel': 'Try the tokenizer: type any text',
  'pt.tok.viewNeedsTokenizer': 'Build the tokenizer to see how this text is split.',
  'pt.tok.viewCounts': '{tokens} tokens for {chars} characters.',
  'pt.tok.viewTruncated': ' (showing the first {n})',
  'pt.tok.viewTokens': 'The text split into tokens',
  'pt.tok.id': 'token id {id}',
  'pt.tok.active': 'Token {index}: {piece} has id {id}.',
  'pt.tok.hoverHint': 'Hover over a token, or tab to it, to see its id.',

  'pt.model.preset': 'Preset',
  'pt.preset.tiny': 'learns visibly in a minute or two, even without a GPU',
  'pt.preset.baby-cpu': 'nanoGPT’s CPU model: minutes on a GPU',
  'pt.preset.baby': 'nanoGPT’s Shakespeare model (~10 M parameters): for a real GPU',
  'pt.preset.custom': 'your own settings',
  'pt.model.fields': 'Model and training settings',
  'pt.model.layers': 'Layers',
  'pt.model.heads': 'Attention heads',
  'pt.model.channels': 'Width (dim)',
  'pt.model.context': 'Context (tokens)',
  'pt.model.batch': 'Batch size',
  'pt.model.steps': 'Training steps',
  'pt.model.lr': 'Learning rate',
  'pt.model.warmup': 'Warm-up steps',
  'pt.model.evalEvery': 'Evaluate every (steps)',
  'pt.model.params': '{n} parameters ({exact})',
  'pt.model.memory': 'about {total} of GPU memory to train',
  'pt.model.memoryParts': 'weights {weights} + gradients {grads} + AdamW moments {adam} + activations {acts}',
  'pt.model.vocabExact': 'Vocabulary {v} (from the tokenizer).',
  'pt.model.vocabGuess': 'Vocabulary about {v} (exact once the tokenizer is built).',
  'pt.model.largest': 'largest buffer {size} (device limit {limit})',
  'pt.model.howTitle': 'How this is estimated',
  'pt.model.how':
    'Every number is a 4-byte float. Each parameter needs its value, its gradient and AdamW’s two moments: 16 bytes. Activations for a batch of N = batch × context tokens with width C, L layers, H heads and vocabulary V: 4 × (L·(16·N·C + N·(4 + H)) + 17·N·C + 2·N·V + N·(6 + H)) bytes — what the forward pass keeps for the backward pass, plus the backward’s scratch. The browser’s own overhead comes on top.',

  'pt.err.int': '{field} must be between {min} and {max}.',
  'pt.err.lr': 'The learning rate must be a number above 0 and at most 1.',
  'pt.err.heads': 'The width ({channels}) must be divisible by the number of heads ({heads}).',
  'pt.err.buffer': 'Too big for this GPU: one buffer would need {need}, but the device allows {limit}. Use a smaller batch, context or vocabulary.',
  'pt.err.tokens': 'The corpus has only {tokens} tokens, too few for a context of {context}: use a shorter context or a longer text.',
  'pt.err.needCorpus': 'This run was trained on your file “{file}”, which is not kept in the browser. Load the same file again above, then resume.',
  'pt.err.busy': 'The engine is busy with another job.',
  'pt.err.engine': 'The engine reported: {message}',
  'pt.err.store': 'Checkpoint storage: {message}',

  'pt.run.name': 'Name of the model',
  'pt.run.sampleEvery': 'Write a sample every (steps)',
  'pt.run.samplePrompt': 'Sample prompt',
  'pt.run.promptHint': '(\\n = new line)',
  'pt.run.sampleTokens': 'Sample length (tokens)',
  'pt.run.autosaveEvery': 'Autosave every (steps)',
  'pt.run.start': 'Start training',
  'pt.run.pause': 'Pause',
  'pt.run.resume': 'Resume',
  'pt.run.stop': 'Stop',
  'pt.run.needCorpus': 'Pick a corpus first.',
  'pt.run.preparing': 'Preparing: encoding the corpus and building the model…',
  'pt.run.progress': 'Training progress',
  'pt.run.step': 'Step {step} of {total}',
  'pt.run.eta': 'about {time} left',
  'pt.run.ready': '{params} parameters, vocabulary {vocab}; {train} training tokens, {val} validation tokens.',
  'pt.run.autosaved': 'Autosaved at step {step}.',
  'pt.status.idle': 'not started',
  'pt.status.preparing': 'preparing',
  'pt.status.running': 'training',
  'pt.status.paused': 'paused',
  'pt.status.stopping': 'stopping…',
  'pt.status.done': 'finished',
  'pt.status.stopped': 'stopped',
  'pt.status.diverged': 'diverged',
  'pt.status.failed': 'failed',
  'pt.status.lost': 'GPU lost',
  'pt.msg.done': 'Finished after {step} steps. “{name}” is saved as a base model: sample from it below, or use it for SFT.',
  'pt.msg.stopped': 'Stopped at step {step}. Its state is autosaved: resume it any time, even after a reload.',
  'pt.msg.stoppedNothing': 'Stopped before the first step; nothing was saved.',
  'pt.msg.diverged':
    'Training diverged at step {step}: the loss or the gradient became NaN or infinite. The last good weights are kept (autosave at step {saved}). Lower the learning rate and resume.',
  'pt.msg.divergedNoSave':
    'Training diverged at step {step}: the loss or the gradient became NaN or infinite, and the weights could not be saved ({saved}). Lower the learning rate and start again.',
  'pt.msg.lost': 'The GPU device was lost, so training stopped. Your last autosave (step {step}) is kept: resume it below (a new device is opened).',
  'pt.warn.autosave': 'The autosave at step {step} failed: {message}. Training goes on.',
  'pt.resume.title': 'Interrupted runs',
  'pt.resume.item': '“{name}”, saved at step {step} ({date})',
  'pt.resume.lr': 'learning rate',
  'pt.resume.lrSaved': 'as saved',
  'pt.resume.resume': 'Resume',
  'pt.resume.discard': 'Discard',

  'pt.chart.loss': 'Loss',
  'pt.chart.train': 'train',
  'pt.chart.val': 'validation',
  'pt.chart.lr': 'Learning rate',
  'pt.chart.lrShort': 'learning rate',
  'pt.chart.grad': 'Gradient norm (before clipping)',
  'pt.chart.gradShort': 'norm',
  'pt.chart.tps': 'Speed (tokens per second)',
  'pt.chart.tpsShort': 'tokens/s',
  'pt.chart.step': 'step',
  'pt.chart.empty': 'no data yet',
  'pt.chart.lossSummary': 'Training loss: {first} at step {firstStep} → {last} at step {lastStep}.',
  'pt.samples.title': 'Samples written during training',
  'pt.samples.none': 'Samples appear here as training goes on.',
  'pt.samples.step': 'at step {step}',

  'pt.ckpt.upload': 'Upload a .safetensors file…',
  'pt.ckpt.uploading': 'Reading the file…',
  'pt.ckpt.where': 'Kept in this browser’s storage; they survive a reload.',
  'pt.ckpt.none': 'No checkpoints yet.',
  'pt.ckpt.name': 'Name',
  'pt.ckpt.stage': 'Stage',
  'pt.ckpt.params': 'Parameters',
  'pt.ckpt.step': 'Step',
  'pt.ckpt.stepN': 'step {n}',
  'pt.ckpt.date': 'Saved',
  'pt.ckpt.actions': 'Actions',
  'pt.ckpt.ctx': 'context {n}',
  'pt.ckpt.autosave': 'autosave',
  'pt.ckpt.newName': 'New name',
  'pt.ckpt.sample': 'Sample',
  'pt.ckpt.rename': 'Rename',
  'pt.ckpt.download': 'Download',
  'pt.ckpt.downloadHf': 'HF files',
  'pt.ckpt.downloadHfHint': 'Download tokenizer.json and config.json: put them beside the .safetensors and GPT2LMHeadModel.from_pretrained loads the folder',
  'pt.ckpt.delete': 'Delete',
  'pt.ckpt.confirmDelete': 'Really delete',
  'pt.ckpt.cancel': 'Cancel',
  'pt.stage.base': 'base',
  'pt.stage.sft': 'SFT',
  'pt.stage.reward': 'reward model',
  'pt.stage.rlhf': 'RLHF',
  'pt.stage.dpo': 'DPO',

  'pt.gen.checkpoint': 'Checkpoint',
  'pt.gen.prompt': 'Prompt',
  'pt.gen.promptPlaceholder': 'The start of a text for the model to continue',
  'pt.gen.temperature': 'Temperature',
  'pt.gen.topK': 'Top-k (0: all)',
  'pt.gen.topP': 'Top-p',
  'pt.gen.maxTokens': 'Max tokens',
  'pt.gen.generate': 'Generate',
  'pt.gen.stop': 'Stop',
  'pt.gen.pauseFirst': 'The GPU is training: pause the run to sample.',
  'pt.gen.writing': 'Writing… {n} tokens',
  'pt.gen.done': '{n} tokens',

  'pt.time.s': '{s} s',
  'pt.time.ms': '{m} min {s} s',
  'pt.time.hm': '{h} h {m} min',
} as const;

// Each later stage keeps its strings beside its components (src/ui/<stage>/strings.ts), in the same form.
const en = { ...baseEn, ...sftStrings.en, ...rlhfStrings.en, ...compareStrings.en, ...tourStrings.en };

export type MessageKey = keyof typeof en;

const baseZh: Record<keyof typeof baseEn, string> = {
  'app.title': 'LLM 训练阶段演练场',
  'app.tagline': '在你自己的 GPU 上从零训练一个小型 GPT，把它变成助手，并把每个阶段并排比较。',
  'app.private': '一切都在这个浏览器标签页里、在你的 GPU 上运行，不会上传任何数据。',
  'lang.label': '语言',

  'tabs.label': '训练阶段',
  'tab.pretrain': '预训练',
  'tab.sft': 'SFT 微调',
  'tab.rlhf': 'RLHF',
  'tab.compare': '对比',
  'stage.coming': '即将推出',
  'stage.pretrain.title': '预训练：基础模型',
  'stage.pretrain.body':
    '在文本语料上从随机权重开始训练 GPT。得到的模型会补全文档：它续写给它的任何文本，还不会回答问题。',
  'stage.sft.title': '监督微调（SFT）',
  'stage.sft.body': '用问答对微调基础模型，让它像助手一样回答问题。',
  'stage.rlhf.title': '基于人类反馈的强化学习（RLHF）',
  'stage.rlhf.body':
    '对同一提示的多个回答排序，用排序训练奖励模型，再用 PPO 针对奖励模型优化助手，或用 DPO 直接从排序中学习。',
  'stage.compare.title': '比较各个阶段',
  'stage.compare.body': '把同一个提示发给每个阶段（基础模型、加了提示工程的基础模型、SFT 和 RLHF），并排阅读它们的回答。',

  'gpu.checking': '正在启动 GPU 引擎…',
  'gpu.ready': 'WebGPU 已在引擎 Worker 中就绪：',
  'gpu.vendor': '厂商',
  'gpu.architecture': '架构',
  'gpu.device': '设备',
  'gpu.description': '描述',
  'gpu.unknown': '未报告',
  'gpu.limits': '关键限制',
  'gpu.features': '可选特性',
  'gpu.none': '无',
  'gpu.software': '这是软件渲染器（SwiftShader）：功能都能用，但训练比在 GPU 上慢很多倍。',
  'limit.maxBufferSize': '最大缓冲区',
  'limit.maxStorageBufferBindingSize': '最大存储绑定',
  'limit.maxComputeWorkgroupStorageSize': '工作组共享内存',
  'limit.maxComputeInvocationsPerWorkgroup': '每个工作组的线程数',
  'limit.maxComputeWorkgroupSizeX': '工作组大小（x）',
  'limit.maxComputeWorkgroupsPerDimension': '每个维度的工作组数',
  'limit.maxStorageBuffersPerShaderStage': '每个着色器的存储缓冲区数',

  'nogpu.title.insecure': 'WebGPU 需要安全的页面',
  'nogpu.title.missing': '这个浏览器没有 WebGPU',
  'nogpu.title.no-adapter': 'WebGPU 找不到可用的 GPU',
  'nogpu.title.failed': 'GPU 引擎无法启动',
  'nogpu.why.insecure': '此页面来自 {origin}，它不是安全上下文，所以浏览器对它隐藏了 WebGPU。',
  'nogpu.why.missing': 'navigator.gpu 未定义：浏览器版本太旧，或者 WebGPU 被关闭了。',
  'nogpu.why.no-adapter':
    'navigator.gpu 存在，但 requestAdapter() 没有返回适配器：这个 GPU 或驱动上的 WebGPU 被屏蔽，或者在此平台上未启用。',
  'nogpu.why.failed': '引擎报告：{message}',
  'nogpu.todo': '怎么办',
  'nogpu.todo.browser': '使用桌面版 Chrome 或 Edge 113 及以上版本。',
  'nogpu.todo.flag':
    '在 Linux 上，打开 chrome://flags/#enable-unsafe-webgpu（或用 --enable-unsafe-webgpu 启动 Chrome），然后重启浏览器。',
  'nogpu.todo.origin': '从 http://localhost 或 http://127.0.0.1（npm start 打印的地址）或通过 https 打开演练场。',
  'nogpu.todo.drivers': '更新 GPU 驱动：Chrome 会在某些旧驱动上关闭 WebGPU（chrome://gpu 会说明原因）。',
  'nogpu.todo.software':
    '完全没有 GPU？Chromium 可以用软件（SwiftShader）运行 WebGPU，只是很慢：在 Debian 或 Ubuntu 上安装 chromium 和 libvulkan1 软件包。',

  'lost.title': 'GPU 设备已丢失',
  'lost.body': '原因：{reason}。重新加载页面以创建新的设备。',
  'lost.reload': '重新加载',

  'pt.section.corpus': '语料',
  'pt.section.tokenizer': '分词器',
  'pt.section.model': '模型',
  'pt.section.train': '训练',
  'pt.section.checkpoints': '检查点',
  'pt.section.sample': '用检查点生成文本',

  'pt.corpus.legend': '用来学习的文本',
  'pt.corpus.generated': '在本页生成，无需下载',
  'pt.corpus.download': '需下载 {size}',
  'pt.corpus.factsSize': '世界大小',
  'pt.corpus.size.tiny': '很小（约 0.6 MB 文本）',
  'pt.corpus.size.small': '小（约 1.7 MB）',
  'pt.corpus.size.full': '完整（约 3.6 MB）',
  'pt.corpus.own': '你自己的文本',
  'pt.corpus.ownDesc': 'UTF-8 编码的纯文本 .txt 文件。它只在这个标签页里读取，绝不会离开你的电脑。',
  'pt.corpus.dropLabel': '把文本文件拖到这里',
  'pt.corpus.drop': '把 .txt 文件拖到这里，或者',
  'pt.corpus.choose': '选择文件…',
  'pt.corpus.private': '不会上传任何内容。',
  'pt.corpus.loaded': '已载入：{name}',
  'pt.corpus.loading': '正在载入语料…',
  'pt.corpus.readError': '无法读取 {name}：{message}',
  'pt.corpus.name': '语料',
  'pt.corpus.size': '大小',
  'pt.corpus.chars': '字符数',
  'pt.corpus.distinct': '不同字符数',
  'pt.corpus.lines': '行数',
  'pt.corpus.tokens': '词元数',
  'pt.corpus.tokensUnknown': '构建分词器后即可统计',
  'pt.corpus.sample': '开头部分',

  'pt.tok.legend': '文本如何变成词元',
  'pt.tok.char': '按字符',
  'pt.tok.charDesc': '每个字符一个词元：词表很小，序列很长。',
  'pt.tok.bpe': '字节对编码（BPE）',
  'pt.tok.bpeDesc': '像 GPT-2 一样学习常见的文本片段：词表更大，序列更短。',
  'pt.tok.vocab': '词表大小',
  'pt.tok.vocabRange': 'BPE 词表大小必须是 {min} 到 {max} 之间的整数。',
  'pt.tok.build': '构建分词器',
  'pt.tok.rebuild': '重新构建',
  'pt.tok.progress': '分词器训练进度',
  'pt.tok.training': '正在训练分词器… {pct}%',
  'pt.tok.summary': '词表：{vocab} 个词元。语料共 {tokens} 个词元（平均每个词元 {ratio} 个字符）。用时 {ms} 毫秒。',
  'pt.tok.optional': '可选：现在构建可以看到词元数和分词效果；开始训练时也会自动构建。',
  'pt.tok.viewLabel': '试试分词器：输入任意文本',
  'pt.tok.viewNeedsTokenizer': '构建分词器后，就能看到这段文本如何被切分。',
  'pt.tok.viewCounts': '{chars} 个字符切成了 {tokens} 个词元。',
  'pt.tok.viewTruncated': '（只显示前 {n} 个）',
  'pt.tok.viewTokens': '切分成词元的文本',
  'pt.tok.id': '词元编号 {id}',
  'pt.tok.active': '第 {index} 个词元 {piece} 的编号是 {id}。',
  'pt.tok.hoverHint': '把鼠标移到词元上，或用 Tab 键选中它，即可看到编号。',

  'pt.model.preset': '预设',
  'pt.preset.tiny': '一两分钟就能看到学习效果，没有 GPU 也行',
  'pt.preset.baby-cpu': 'nanoGPT 的 CPU 模型：在 GPU 上需要几分钟',
  'pt.preset.baby': 'nanoGPT 的莎士比亚模型（约 1000 万参数）：需要真正的 GPU',
  'pt.preset.custom': '自定义设置',
  'pt.model.fields': '模型和训练设置',
  'pt.model.layers': '层数',
  'pt.model.heads': '注意力头数',
  'pt.model.channels': '宽度（dim）',
  'pt.model.context': '上下文长度（词元）',
  'pt.model.batch': '批大小',
  'pt.model.steps': '训练步数',
  'pt.model.lr': '学习率',
  'pt.model.warmup': '预热步数',
  'pt.model.evalEvery': '每隔多少步评估',
  'pt.model.params': '{n} 个参数（{exact}）',
  'pt.model.memory': '训练约需 {total} 显存',
  'pt.model.memoryParts': '权重 {weights} + 梯度 {grads} + AdamW 动量 {adam} + 激活值 {acts}',
  'pt.model.vocabExact': '词表 {v}（来自分词器）。',
  'pt.model.vocabGuess': '词表约 {v}（构建分词器后为准确值）。',
  'pt.model.largest': '最大缓冲区 {size}（设备上限 {limit}）',
  'pt.model.howTitle': '估算方法',
  'pt.model.how':
    '每个数都是 4 字节浮点数。每个参数需要存放它的值、梯度和 AdamW 的两个动量：共 16 字节。对于 N = 批大小 × 上下文长度 个词元、宽度 C、L 层、H 个头、词表 V，激活值占 4 × (L·(16·N·C + N·(4 + H)) + 17·N·C + 2·N·V + N·(6 + H)) 字节——即前向传播为反向传播保留的数据，加上反向传播的临时缓冲区。浏览器自身的开销另计。',

  'pt.err.int': '{field}必须在 {min} 到 {max} 之间。',
  'pt.err.lr': '学习率必须是大于 0、不超过 1 的数。',
  'pt.err.heads': '宽度（{channels}）必须能被头数（{heads}）整除。',
  'pt.err.buffer': '对这个 GPU 来说太大了：有一个缓冲区需要 {need}，而设备只允许 {limit}。请减小批大小、上下文长度或词表。',
  'pt.err.tokens': '语料只有 {tokens} 个词元，不够上下文长度 {context} 使用：请缩短上下文或换更长的文本。',
  'pt.err.needCorpus': '这次训练用的是你的文件“{file}”，浏览器没有保存它。请在上方重新载入同一个文件，然后继续。',
  'pt.err.busy': '引擎正忙于另一项任务。',
  'pt.err.engine': '引擎报告：{message}',
  'pt.err.store': '检查点存储：{message}',

  'pt.run.name': '模型名称',
  'pt.run.sampleEvery': '每隔多少步生成样例',
  'pt.run.samplePrompt': '样例提示词',
  'pt.run.promptHint': '（\\n 表示换行）',
  'pt.run.sampleTokens': '样例长度（词元）',
  'pt.run.autosaveEvery': '每隔多少步自动保存',
  'pt.run.start': '开始训练',
  'pt.run.pause': '暂停',
  'pt.run.resume': '继续',
  'pt.run.stop': '停止',
  'pt.run.needCorpus': '请先选择语料。',
  'pt.run.preparing': '准备中：正在编码语料并构建模型…',
  'pt.run.progress': '训练进度',
  'pt.run.step': '第 {step} / {total} 步',
  'pt.run.eta': '约剩 {time}',
  'pt.run.ready': '{params} 个参数，词表 {vocab}；训练词元 {train} 个，验证词元 {val} 个。',
  'pt.run.autosaved': '已在第 {step} 步自动保存。',
  'pt.status.idle': '未开始',
  'pt.status.preparing': '准备中',
  'pt.status.running': '训练中',
  'pt.status.paused': '已暂停',
  'pt.status.stopping': '正在停止…',
  'pt.status.done': '已完成',
  'pt.status.stopped': '已停止',
  'pt.status.diverged': '已发散',
  'pt.status.failed': '失败',
  'pt.status.lost': 'GPU 已丢失',
  'pt.msg.done': '训练完成，共 {step} 步。“{name}”已保存为基础模型：可以在下方用它生成文本，或用于 SFT。',
  'pt.msg.stopped': '已在第 {step} 步停止。训练状态已自动保存：随时可以继续，重新加载页面后也可以。',
  'pt.msg.stoppedNothing': '在第一步之前就停止了，没有保存任何内容。',
  'pt.msg.diverged':
    '训练在第 {step} 步发散：损失或梯度变成了 NaN 或无穷大。最后一组正常的权重已保留（第 {saved} 步的自动保存）。请降低学习率后继续。',
  'pt.msg.divergedNoSave':
    '训练在第 {step} 步发散：损失或梯度变成了 NaN 或无穷大，且权重未能保存（{saved}）。请降低学习率后重新开始。',
  'pt.msg.lost': 'GPU 设备丢失，训练已停止。最后一次自动保存（第 {step} 步）仍然保留：可以在下方继续（会打开一个新设备）。',
  'pt.warn.autosave': '第 {step} 步的自动保存失败：{message}。训练继续进行。',
  'pt.resume.title': '被中断的训练',
  'pt.resume.item': '“{name}”，保存于第 {step} 步（{date}）',
  'pt.resume.lr': '学习率',
  'pt.resume.lrSaved': '沿用保存值',
  'pt.resume.resume': '继续训练',
  'pt.resume.discard': '丢弃',

  'pt.chart.loss': '损失',
  'pt.chart.train': '训练',
  'pt.chart.val': '验证',
  'pt.chart.lr': '学习率',
  'pt.chart.lrShort': '学习率',
  'pt.chart.grad': '梯度范数（裁剪前）',
  'pt.chart.gradShort': '范数',
  'pt.chart.tps': '速度（每秒词元数）',
  'pt.chart.tpsShort': '词元/秒',
  'pt.chart.step': '步',
  'pt.chart.empty': '暂无数据',
  'pt.chart.lossSummary': '训练损失：第 {firstStep} 步 {first} → 第 {lastStep} 步 {last}。',
  'pt.samples.title': '训练中生成的样例',
  'pt.samples.none': '训练过程中，样例会显示在这里。',
  'pt.samples.step': '第 {step} 步',

  'pt.ckpt.upload': '上传 .safetensors 文件…',
  'pt.ckpt.uploading': '正在读取文件…',
  'pt.ckpt.where': '保存在这个浏览器的存储中；重新加载页面后仍在。',
  'pt.ckpt.none': '还没有检查点。',
  'pt.ckpt.name': '名称',
  'pt.ckpt.stage': '阶段',
  'pt.ckpt.params': '参数量',
  'pt.ckpt.step': '步数',
  'pt.ckpt.stepN': '第 {n} 步',
  'pt.ckpt.date': '保存时间',
  'pt.ckpt.actions': '操作',
  'pt.ckpt.ctx': '上下文 {n}',
  'pt.ckpt.autosave': '自动保存',
  'pt.ckpt.newName': '新名称',
  'pt.ckpt.sample': '生成',
  'pt.ckpt.rename': '重命名',
  'pt.ckpt.download': '下载',
  'pt.ckpt.downloadHf': 'HF 文件',
  'pt.ckpt.downloadHfHint': '下载 tokenizer.json 和 config.json：与 .safetensors 放在同一文件夹，GPT2LMHeadModel.from_pretrained 即可加载',
  'pt.ckpt.delete': '删除',
  'pt.ckpt.confirmDelete': '确认删除',
  'pt.ckpt.cancel': '取消',
  'pt.stage.base': '基础模型',
  'pt.stage.sft': 'SFT',
  'pt.stage.reward': '奖励模型',
  'pt.stage.rlhf': 'RLHF',
  'pt.stage.dpo': 'DPO',

  'pt.gen.checkpoint': '检查点',
  'pt.gen.prompt': '提示词',
  'pt.gen.promptPlaceholder': '一段文本的开头，让模型接着写',
  'pt.gen.temperature': '温度',
  'pt.gen.topK': 'Top-k（0 表示不限）',
  'pt.gen.topP': 'Top-p',
  'pt.gen.maxTokens': '最多词元数',
  'pt.gen.generate': '生成',
  'pt.gen.stop': '停止',
  'pt.gen.pauseFirst': 'GPU 正在训练：请先暂停训练再生成。',
  'pt.gen.writing': '正在生成… {n} 个词元',
  'pt.gen.done': '{n} 个词元',

  'pt.time.s': '{s} 秒',
  'pt.time.ms': '{m} 分 {s} 秒',
  'pt.time.hm': '{h} 小时 {m} 分',
};

const zh: Record<MessageKey, string> = { ...baseZh, ...sftStrings.zh, ...rlhfStrings.zh, ...compareStrings.zh, ...tourStrings.zh };

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, zh };

/** The string for `key` in `lang`, with `{name}` placeholders replaced by `params[name]`. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export const LANG_STORAGE_KEY = 'llm-playground.lang';

function isLang(x: unknown): x is Lang {
  return x === 'en' || x === 'zh';
}

/** The remembered language, else the browser's preference (中文 for any zh-*), else English. */
export function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    // Storage can be disabled (privacy settings); fall through.
  }
  const first = globalThis.navigator?.languages?.[0] ?? globalThis.navigator?.language ?? 'en';
  return /^zh\b/i.test(first) ? 'zh' : 'en';
}

export function saveLang(lang: Lang): void {
  try {
    globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Not remembered; the toggle still works for this visit.
  }
}

/** Bytes as a short human string (KiB/MiB/GiB), for limits. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

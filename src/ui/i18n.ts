// The UI's strings in English and Simplified Chinese. Every key exists in both languages (the compiler
// checks it: `zh` must be a Record of `en`'s keys). Strings are plain text, rendered as text, never as HTML;
// `{name}` placeholders are filled by `translate`.

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

/** Each language's name in itself, for the toggle; and its BCP 47 tag, for <html lang>. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', zh: '简体中文' };
export const LANG_TAGS: Record<Lang, string> = { en: 'en', zh: 'zh-CN' };

const en = {
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
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
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
};

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

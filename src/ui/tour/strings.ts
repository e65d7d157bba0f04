// The guided tour's UI strings, merged into src/ui/i18n.ts. Every key exists in both languages (the
// compiler checks it); keys start with 'tour.'. Plain text only, never HTML; {name} placeholders.

export const en = {
  'tour.button': 'Guided tour',
  'tour.button.hint': 'One button runs every stage on a tiny model and shows base, SFT and RLHF side by side.',
  'tour.title': 'Guided tour: from random weights to an assistant',
  'tour.intro':
    'The tour trains a tiny GPT through every stage, one after another, on the "facts world": a small made-up encyclopedia (fruits, countries, animals…). It takes about 20 minutes without a GPU and a few minutes on a laptop GPU. Each stage is stored as a checkpoint; at the end the Compare tab asks the three models the same question.',
  'tour.start': 'Start the tour',
  'tour.cancel': 'Cancel',
  'tour.close': 'Close',
  'tour.again': 'Run the tour again',
  'tour.preset': 'Preset: {name} ({params} parameters)',
  'tour.steps.label': 'The stages of the tour',

  'tour.stage.pretrain': 'Pretraining',
  'tour.stage.sft': 'Supervised fine-tuning (SFT)',
  'tour.stage.reward': 'Reward model',
  'tour.stage.ppo': 'RLHF with PPO',
  'tour.stage.compare': 'Compare',

  'tour.explain.pretrain':
    'Data: plain sentences about the facts world, like "A banana is a long, yellow fruit." Objective: predict the next character, over and over. The result is a base model: it continues text, but it does not know that a question wants an answer.',
  'tour.explain.sft':
    'Data: question-and-answer pairs in a chat template (<|user|> question <|end|> <|assistant|> answer <|end|>). Objective: the same next-character loss, but only on the answer. What changes: the base model only continues text; SFT teaches it to answer. Some facts are held out of this data, to see whether the model answers questions it was never shown, from what it read during pretraining.',
  'tour.explain.reward':
    'Data: the SFT model answers each question several times; a simulated labeler (standing in for people) ranks the answers — right fact, full sentence, no repetition or rambling. Objective: a copy of the SFT model with a score head learns to give the preferred answer the higher score (Bradley–Terry).',
  'tour.explain.ppo':
    'The SFT model answers questions, the reward model scores the answers, and PPO nudges the model towards higher scores. A KL penalty keeps it close to the SFT model, so it cannot drift into text that only fools the reward model.',
  'tour.explain.compare':
    'The Compare tab opens with the base model (no chat template: it continues the text), the SFT model and the RLHF model (both in the chat template), and asks them a question whose fact was held out of the SFT data.',

  'tour.status.waiting': 'waiting',
  'tour.status.running': 'running',
  'tour.status.done': 'done',
  'tour.status.stopped': 'cancelled',
  'tour.current': 'current step',

  'tour.phase.preparing': 'Preparing the data and the model…',
  'tour.phase.collecting': 'The SFT model answers questions and the labeler ranks the answers…',
  'tour.phase.evaluating': 'Asking the model held-out questions…',
  'tour.phase.training': 'Training',
  'tour.phase.saving': 'Storing the checkpoint…',

  'tour.progress.step': 'step {step} of {steps}',
  'tour.progress.loss': 'loss {loss}',
  'tour.progress.reward': 'reward {reward}, KL {kl}',
  'tour.progress.eta': 'about {eta} left',
  'tour.progress.took': 'took {time}',
  'tour.progress.overall': 'Whole tour',
  'tour.progress.stage': '{stage} progress',

  'tour.result.pretrain': 'Held-out loss {loss} (a random model starts near {start})',
  'tour.result.sft': 'Held-out questions answered right: base {base} → SFT {sft} (trained questions: {baseTrained} → {sftTrained})',
  'tour.result.reward': 'Pairs ranked like the labeler: {acc} of {n} held-out pairs',
  'tour.result.rewardNoHeld': 'Trained on {n} pairs (no held-out pair to check)',
  'tour.result.ppo': 'Mean reward {reward}, KL to the SFT model {kl}',

  'tour.done': 'Done: the Compare tab shows the three models answering "{question}".',
  'tour.stopped': 'Cancelled. The stages already finished are stored as checkpoints (see the Pretrain and SFT tabs).',
  'tour.err.busy': 'Another training run is going on in this tab; wait for it to end (or stop it) and start the tour again.',
  'tour.err.engine': 'The tour stopped with an error: {message}. The stages already finished are stored.',
} as const;

export const zh: Record<keyof typeof en, string> = {
  'tour.button': '导览',
  'tour.button.hint': '一个按钮在一个很小的模型上依次运行每个阶段，并把基础模型、SFT 和 RLHF 并排展示。',
  'tour.title': '导览：从随机权重到助手',
  'tour.intro':
    '导览会在“事实世界”（一本虚构的小百科：水果、国家、动物……）上依次训练一个很小的 GPT，走完每个阶段。没有 GPU 时大约需要 20 分钟，在笔记本 GPU 上只需几分钟。每个阶段都会存为一个检查点；最后，“比较”标签页会向三个模型提出同一个问题。',
  'tour.start': '开始导览',
  'tour.cancel': '取消',
  'tour.close': '关闭',
  'tour.again': '再运行一次导览',
  'tour.preset': '预设：{name}（{params} 个参数）',
  'tour.steps.label': '导览的各个阶段',

  'tour.stage.pretrain': '预训练',
  'tour.stage.sft': '监督微调（SFT）',
  'tour.stage.reward': '奖励模型',
  'tour.stage.ppo': '用 PPO 做 RLHF',
  'tour.stage.compare': '比较',

  'tour.explain.pretrain':
    '数据：关于事实世界的普通句子，例如“A banana is a long, yellow fruit.”。目标：一遍又一遍地预测下一个字符。结果是一个基础模型：它会续写文本，但还不知道问题需要回答。',
  'tour.explain.sft':
    '数据：套用对话模板的问答对（<|user|> 问题 <|end|> <|assistant|> 回答 <|end|>）。目标：同样的下一个字符损失，但只算在回答上。变化：基础模型只会续写文本；SFT 教会它回答。一部分事实不放进这些数据，用来检验模型能否凭预训练时读到的内容，回答从没见过的问题。',
  'tour.explain.reward':
    '数据：SFT 模型对每个问题回答好几次；一个模拟的标注者（代替真人）给这些回答排序——事实正确、句子完整、不重复、不啰嗦。目标：一个带评分头的 SFT 模型副本学会给更好的回答打更高的分（Bradley–Terry）。',
  'tour.explain.ppo':
    'SFT 模型回答问题，奖励模型给回答打分，PPO 把模型往更高分的方向推。KL 惩罚让它不要离 SFT 模型太远，免得它漂向只会骗过奖励模型的文本。',
  'tour.explain.compare':
    '“比较”标签页会打开基础模型（不套对话模板：它续写文本）、SFT 模型和 RLHF 模型（都套对话模板），并向它们提出一个其事实不在 SFT 数据里的问题。',

  'tour.status.waiting': '等待中',
  'tour.status.running': '进行中',
  'tour.status.done': '完成',
  'tour.status.stopped': '已取消',
  'tour.current': '当前步骤',

  'tour.phase.preparing': '正在准备数据和模型……',
  'tour.phase.collecting': 'SFT 模型正在回答问题，标注者正在给回答排序……',
  'tour.phase.evaluating': '正在向模型提出留出的问题……',
  'tour.phase.training': '训练中',
  'tour.phase.saving': '正在保存检查点……',

  'tour.progress.step': '第 {step} / {steps} 步',
  'tour.progress.loss': '损失 {loss}',
  'tour.progress.reward': '奖励 {reward}，KL {kl}',
  'tour.progress.eta': '大约还剩 {eta}',
  'tour.progress.took': '用时 {time}',
  'tour.progress.overall': '整个导览',
  'tour.progress.stage': '{stage}进度',

  'tour.result.pretrain': '留出数据上的损失 {loss}（随机模型的起点约为 {start}）',
  'tour.result.sft': '留出问题答对的比例：基础模型 {base} → SFT {sft}（训练过的问题：{baseTrained} → {sftTrained}）',
  'tour.result.reward': '与标注者排序一致的留出问答对：{acc}（共 {n} 对）',
  'tour.result.rewardNoHeld': '在 {n} 个问答对上训练（没有留出的问答对可供检验）',
  'tour.result.ppo': '平均奖励 {reward}，与 SFT 模型的 KL {kl}',

  'tour.done': '完成：“比较”标签页展示了三个模型对“{question}”的回答。',
  'tour.stopped': '已取消。已经完成的阶段都存为检查点了（见“预训练”和“SFT 微调”标签页）。',
  'tour.err.busy': '这个标签页里还有别的训练在进行；请等它结束（或停止它）后再开始导览。',
  'tour.err.engine': '导览因错误而停止：{message}。已经完成的阶段都已保存。',
};

// The real part of the facts world: fruits, colours, animals, countries, movies, plus the pools that
// invented people draw from. Values are a toy world's canonical answers (one colour per fruit, one language
// per country), chosen to be uncontroversial and short.
import type { AttrValue } from './types.ts';

const v = (id: string, en: string, zh: string, extra: Partial<AttrValue> = {}): AttrValue => ({ id, en, zh, ...extra });

export const COLOURS = {
  red: v('red', 'red', '红色'),
  orange: v('orange', 'orange', '橙色'),
  yellow: v('yellow', 'yellow', '黄色'),
  green: v('green', 'green', '绿色'),
  blue: v('blue', 'blue', '蓝色'),
  purple: v('purple', 'purple', '紫色'),
  white: v('white', 'white', '白色'),
  black: v('black', 'black', '黑色'),
  pink: v('pink', 'pink', '粉色'),
  brown: v('brown', 'brown', '棕色'),
  grey: v('grey', 'grey', '灰色'),
};
type ColourId = keyof typeof COLOURS;

export const TASTES = {
  sweet: v('sweet', 'sweet', '甜'),
  sour: v('sour', 'sour', '酸'),
  bitter: v('bitter', 'bitter', '苦'),
  sweetSour: v('sweet-and-sour', 'sweet and sour', '酸甜'),
  mild: v('mild', 'mild', '清淡'),
};
type TasteId = keyof typeof TASTES;

export const SHAPES = {
  elongated: v('elongated', 'elongated', '长形'),
  round: v('round', 'round', '圆形'),
  oval: v('oval', 'oval', '椭圆形'),
  heart: v('heart-shaped', 'heart-shaped', '心形'),
  teardrop: v('teardrop-shaped', 'teardrop-shaped', '水滴形'),
  star: v('star-shaped', 'star-shaped', '星形'),
};
type ShapeId = keyof typeof SHAPES;

export interface FruitSpec {
  slug: string;
  singular: string;
  plural: string;
  zh: string;
  colour: ColourId;
  taste: TasteId;
  shape: ShapeId;
}

const fruit = (
  slug: string,
  plural: string,
  zh: string,
  colour: ColourId,
  taste: TasteId,
  shape: ShapeId,
): FruitSpec => ({ slug, singular: slug, plural, zh, colour, taste, shape });

/** The first entries are always in the world (banana carries a seed sentence). */
export const FRUITS: FruitSpec[] = [
  fruit('banana', 'bananas', '香蕉', 'yellow', 'sweet', 'elongated'),
  fruit('apple', 'apples', '苹果', 'red', 'sweet', 'round'),
  fruit('lemon', 'lemons', '柠檬', 'yellow', 'sour', 'oval'),
  fruit('strawberry', 'strawberries', '草莓', 'red', 'sweet', 'heart'),
  fruit('grapefruit', 'grapefruits', '西柚', 'pink', 'bitter', 'round'),
  fruit('starfruit', 'starfruits', '杨桃', 'yellow', 'sweetSour', 'star'),
  fruit('orange', 'oranges', '橙子', 'orange', 'sweet', 'round'),
  fruit('grape', 'grapes', '葡萄', 'purple', 'sweetSour', 'round'),
  fruit('cherry', 'cherries', '樱桃', 'red', 'sweet', 'round'),
  fruit('lime', 'limes', '青柠', 'green', 'sour', 'round'),
  fruit('mango', 'mangoes', '芒果', 'yellow', 'sweet', 'oval'),
  fruit('pear', 'pears', '梨', 'green', 'sweet', 'teardrop'),
  fruit('watermelon', 'watermelons', '西瓜', 'green', 'sweet', 'round'),
  fruit('kiwi', 'kiwis', '猕猴桃', 'brown', 'sweetSour', 'oval'),
  fruit('peach', 'peaches', '桃子', 'pink', 'sweet', 'round'),
  fruit('plum', 'plums', '李子', 'purple', 'sour', 'round'),
  fruit('coconut', 'coconuts', '椰子', 'brown', 'mild', 'round'),
  fruit('pineapple', 'pineapples', '菠萝', 'yellow', 'sweetSour', 'oval'),
  fruit('blueberry', 'blueberries', '蓝莓', 'blue', 'sweet', 'round'),
  fruit('fig', 'figs', '无花果', 'purple', 'sweet', 'teardrop'),
  fruit('avocado', 'avocados', '牛油果', 'green', 'mild', 'teardrop'),
  fruit('papaya', 'papayas', '木瓜', 'orange', 'sweet', 'oval'),
];

export interface ColourSpec {
  colour: ColourId;
  /** Something typically of this colour. */
  example: AttrValue;
  /** The two colours that mix into it (secondary colours only). */
  mix?: AttrValue;
}

export const COLOUR_ENTITIES: ColourSpec[] = [
  { colour: 'blue', example: v('the-sky', 'the sky', '天空') },
  { colour: 'green', example: v('fresh-grass', 'fresh grass', '青草'), mix: v('blue-yellow', 'blue and yellow', '蓝色和黄色') },
  { colour: 'red', example: v('a-ripe-tomato', 'a ripe tomato', '熟透的番茄') },
  { colour: 'white', example: v('snow', 'snow', '雪') },
  { colour: 'orange', example: v('a-carrot', 'a carrot', '胡萝卜'), mix: v('red-yellow', 'red and yellow', '红色和黄色') },
  { colour: 'yellow', example: v('the-sun', 'the sun', '太阳') },
  { colour: 'purple', example: v('an-eggplant', 'an eggplant', '茄子'), mix: v('red-blue', 'red and blue', '红色和蓝色') },
  { colour: 'black', example: v('coal', 'coal', '煤') },
  { colour: 'pink', example: v('a-flamingo', 'a flamingo', '火烈鸟'), mix: v('red-white', 'red and white', '红色和白色') },
  { colour: 'brown', example: v('chocolate', 'chocolate', '巧克力') },
  { colour: 'grey', example: v('a-rain-cloud', 'a rain cloud', '雨云'), mix: v('black-white', 'black and white', '黑色和白色') },
];

export const HABITATS = {
  farm: v('farm', 'the farm', '农场', { enPrep: 'on', zhLoc: '上' }),
  city: v('city', 'the city', '城市', { enPrep: 'in', zhLoc: '里' }),
  hills: v('hills', 'the hills', '山坡', { enPrep: 'in', zhLoc: '上' }),
  pond: v('pond', 'the pond', '池塘', { enPrep: 'in', zhLoc: '里' }),
  meadow: v('meadow', 'the meadow', '草地', { enPrep: 'in', zhLoc: '上' }),
  savanna: v('savanna', 'the savanna', '草原', { enPrep: 'on', zhLoc: '上' }),
  forest: v('forest', 'the forest', '森林', { enPrep: 'in', zhLoc: '里' }),
  hive: v('hive', 'a hive', '蜂巢', { enPrep: 'in', zhLoc: '里' }),
  desert: v('desert', 'the desert', '沙漠', { enPrep: 'in', zhLoc: '里' }),
  barn: v('barn', 'the barn', '谷仓', { enPrep: 'in', zhLoc: '里' }),
  jungle: v('jungle', 'the jungle', '丛林', { enPrep: 'in', zhLoc: '里' }),
  mountains: v('mountains', 'the mountains', '山', { enPrep: 'in', zhLoc: '里' }),
  sea: v('sea', 'the sea', '大海', { enPrep: 'in', zhLoc: '里' }),
  antarctica: v('antarctica', 'Antarctica', '南极', { enPrep: 'in', zhLoc: '' }),
};
type HabitatId = keyof typeof HABITATS;

export interface AnimalSpec {
  slug: string;
  singular: string;
  plural: string;
  zh: string;
  eats: AttrValue;
  habitat: HabitatId;
  sound?: AttrValue;
}

const food = (en: string, zh: string) => v(en.replace(/ /g, '-'), en, zh);
const sound = (en: string, zh: string) => v(en, en, zh);
const animal = (
  slug: string,
  plural: string,
  zh: string,
  eats: AttrValue,
  habitat: HabitatId,
  s?: AttrValue,
): AnimalSpec => ({ slug, singular: slug, plural, zh, eats, habitat, sound: s });

export const ANIMALS: AnimalSpec[] = [
  animal('dog', 'dogs', '狗', food('bones', '骨头'), 'farm', sound('woof', '汪汪')),
  animal('cat', 'cats', '猫', food('fish', '鱼'), 'city', sound('meow', '喵喵')),
  animal('lion', 'lions', '狮子', food('meat', '肉'), 'savanna', sound('roar', '嗷嗷')),
  animal('monkey', 'monkeys', '猴子', food('bananas', '香蕉'), 'jungle'),
  animal('cow', 'cows', '奶牛', food('grass', '草'), 'farm', sound('moo', '哞哞')),
  animal('duck', 'ducks', '鸭子', food('water plants', '水草'), 'pond', sound('quack', '嘎嘎')),
  animal('sheep', 'sheep', '绵羊', food('grass', '草'), 'hills', sound('baa', '咩咩')),
  animal('pig', 'pigs', '猪', food('corn', '玉米'), 'farm', sound('oink', '哼哼')),
  animal('horse', 'horses', '马', food('hay', '干草'), 'meadow', sound('neigh', '咴咴')),
  animal('frog', 'frogs', '青蛙', food('insects', '虫子'), 'pond', sound('ribbit', '呱呱')),
  animal('owl', 'owls', '猫头鹰', food('mice', '老鼠'), 'forest', sound('hoot', '咕咕')),
  animal('bee', 'bees', '蜜蜂', food('nectar', '花蜜'), 'hive', sound('buzz', '嗡嗡')),
  animal('wolf', 'wolves', '狼', food('meat', '肉'), 'forest', sound('awoo', '嗷呜')),
  animal('snake', 'snakes', '蛇', food('mice', '老鼠'), 'desert', sound('hiss', '嘶嘶')),
  animal('mouse', 'mice', '老鼠', food('cheese', '奶酪'), 'barn', sound('squeak', '吱吱')),
  animal('chicken', 'chickens', '鸡', food('corn', '玉米'), 'farm', sound('cluck', '咯咯')),
  animal('panda', 'pandas', '熊猫', food('bamboo', '竹子'), 'mountains'),
  animal('rabbit', 'rabbits', '兔子', food('carrots', '胡萝卜'), 'meadow'),
  animal('shark', 'sharks', '鲨鱼', food('fish', '鱼'), 'sea'),
  animal('penguin', 'penguins', '企鹅', food('fish', '鱼'), 'antarctica'),
  animal('camel', 'camels', '骆驼', food('desert plants', '沙漠植物'), 'desert'),
  animal('giraffe', 'giraffes', '长颈鹿', food('leaves', '树叶'), 'savanna'),
  animal('elephant', 'elephants', '大象', food('plants', '植物'), 'savanna'),
];

export const CONTINENTS = {
  asia: v('asia', 'Asia', '亚洲'),
  europe: v('europe', 'Europe', '欧洲'),
  africa: v('africa', 'Africa', '非洲'),
  northAmerica: v('north-america', 'North America', '北美洲'),
  southAmerica: v('south-america', 'South America', '南美洲'),
  oceania: v('oceania', 'Oceania', '大洋洲'),
};
type ContinentId = keyof typeof CONTINENTS;

export const LANGUAGES = {
  chinese: v('chinese', 'Chinese', '中文'),
  french: v('french', 'French', '法语'),
  japanese: v('japanese', 'Japanese', '日语'),
  italian: v('italian', 'Italian', '意大利语'),
  arabic: v('arabic', 'Arabic', '阿拉伯语'),
  spanish: v('spanish', 'Spanish', '西班牙语'),
  german: v('german', 'German', '德语'),
  hindi: v('hindi', 'Hindi', '印地语'),
  portuguese: v('portuguese', 'Portuguese', '葡萄牙语'),
  english: v('english', 'English', '英语'),
  swahili: v('swahili', 'Swahili', '斯瓦希里语'),
  greek: v('greek', 'Greek', '希腊语'),
  thai: v('thai', 'Thai', '泰语'),
  korean: v('korean', 'Korean', '韩语'),
  norwegian: v('norwegian', 'Norwegian', '挪威语'),
  vietnamese: v('vietnamese', 'Vietnamese', '越南语'),
  polish: v('polish', 'Polish', '波兰语'),
  swedish: v('swedish', 'Swedish', '瑞典语'),
  nepali: v('nepali', 'Nepali', '尼泊尔语'),
  hungarian: v('hungarian', 'Hungarian', '匈牙利语'),
  finnish: v('finnish', 'Finnish', '芬兰语'),
  danish: v('danish', 'Danish', '丹麦语'),
  indonesian: v('indonesian', 'Indonesian', '印尼语'),
};
type LanguageId = keyof typeof LANGUAGES;

export interface CountrySpec {
  name: AttrValue;
  capital: AttrValue;
  continent: ContinentId;
  language: LanguageId;
}

const country = (
  en: string,
  zh: string,
  capEn: string,
  capZh: string,
  continent: ContinentId,
  language: LanguageId,
): CountrySpec => ({
  name: v(slugify(en), en, zh),
  capital: v(slugify(capEn), capEn, capZh),
  continent,
  language,
});

/** China first: always in the world (seed sentence). */
export const COUNTRIES: CountrySpec[] = [
  country('China', '中国', 'Beijing', '北京', 'asia', 'chinese'),
  country('France', '法国', 'Paris', '巴黎', 'europe', 'french'),
  country('Japan', '日本', 'Tokyo', '东京', 'asia', 'japanese'),
  country('Egypt', '埃及', 'Cairo', '开罗', 'africa', 'arabic'),
  country('Italy', '意大利', 'Rome', '罗马', 'europe', 'italian'),
  country('Brazil', '巴西', 'Brasilia', '巴西利亚', 'southAmerica', 'portuguese'),
  country('Spain', '西班牙', 'Madrid', '马德里', 'europe', 'spanish'),
  country('Germany', '德国', 'Berlin', '柏林', 'europe', 'german'),
  country('India', '印度', 'New Delhi', '新德里', 'asia', 'hindi'),
  country('Canada', '加拿大', 'Ottawa', '渥太华', 'northAmerica', 'english'),
  country('Kenya', '肯尼亚', 'Nairobi', '内罗毕', 'africa', 'swahili'),
  country('Mexico', '墨西哥', 'Mexico City', '墨西哥城', 'northAmerica', 'spanish'),
  country('Peru', '秘鲁', 'Lima', '利马', 'southAmerica', 'spanish'),
  country('Greece', '希腊', 'Athens', '雅典', 'europe', 'greek'),
  country('Thailand', '泰国', 'Bangkok', '曼谷', 'asia', 'thai'),
  country('South Korea', '韩国', 'Seoul', '首尔', 'asia', 'korean'),
  country('Australia', '澳大利亚', 'Canberra', '堪培拉', 'oceania', 'english'),
  country('Argentina', '阿根廷', 'Buenos Aires', '布宜诺斯艾利斯', 'southAmerica', 'spanish'),
  country('Norway', '挪威', 'Oslo', '奥斯陆', 'europe', 'norwegian'),
  country('Cuba', '古巴', 'Havana', '哈瓦那', 'northAmerica', 'spanish'),
  country('Chile', '智利', 'Santiago', '圣地亚哥', 'southAmerica', 'spanish'),
  country('Vietnam', '越南', 'Hanoi', '河内', 'asia', 'vietnamese'),
  country('Poland', '波兰', 'Warsaw', '华沙', 'europe', 'polish'),
  country('Portugal', '葡萄牙', 'Lisbon', '里斯本', 'europe', 'portuguese'),
  country('Sweden', '瑞典', 'Stockholm', '斯德哥尔摩', 'europe', 'swedish'),
  country('Ireland', '爱尔兰', 'Dublin', '都柏林', 'europe', 'english'),
  country('Nigeria', '尼日利亚', 'Abuja', '阿布贾', 'africa', 'english'),
  country('Ghana', '加纳', 'Accra', '阿克拉', 'africa', 'english'),
  country('Nepal', '尼泊尔', 'Kathmandu', '加德满都', 'asia', 'nepali'),
  country('Austria', '奥地利', 'Vienna', '维也纳', 'europe', 'german'),
  country('Hungary', '匈牙利', 'Budapest', '布达佩斯', 'europe', 'hungarian'),
  country('Finland', '芬兰', 'Helsinki', '赫尔辛基', 'europe', 'finnish'),
  country('Denmark', '丹麦', 'Copenhagen', '哥本哈根', 'europe', 'danish'),
  country('Indonesia', '印度尼西亚', 'Jakarta', '雅加达', 'asia', 'indonesian'),
  country('Morocco', '摩洛哥', 'Rabat', '拉巴特', 'africa', 'arabic'),
  country('New Zealand', '新西兰', 'Wellington', '惠灵顿', 'oceania', 'english'),
];

export interface MovieSpec {
  title: AttrValue;
  plot: AttrValue;
  year: number;
}

const movie = (en: string, zh: string, plotEn: string, plotZh: string, year: number): MovieSpec => ({
  title: v(slugify(en), en, zh),
  plot: v(`${slugify(en)}-plot`, plotEn, plotZh),
  year,
});

/** Titanic first: always in the world (seed sentence). */
export const MOVIES: MovieSpec[] = [
  movie('Titanic', '泰坦尼克号', 'a ship that sinks in the ocean', '一艘在大海中沉没的船', 1997),
  movie('The Lion King', '狮子王', 'a young lion who grows up to be king', '一头长大后成为国王的小狮子', 1994),
  movie('Jaws', '大白鲨', 'a huge shark that attacks swimmers at a beach', '一条在海滩袭击游泳者的大鲨鱼', 1975),
  movie('Finding Nemo', '海底总动员', 'a father fish who searches the sea for his lost son', '一条在大海里寻找走失儿子的鱼爸爸', 2003),
  movie('Toy Story', '玩具总动员', 'toys that come alive when people leave the room', '人不在时会活过来的玩具', 1995),
  movie('Frozen', '冰雪奇缘', 'a princess with icy powers and her brave sister', '一位拥有冰雪魔法的公主和她勇敢的妹妹', 2013),
  movie('Jurassic Park', '侏罗纪公园', 'a park where dinosaurs come back to life', '一个恐龙复活的公园', 1993),
  movie('The Wizard of Oz', '绿野仙踪', 'a girl carried by a tornado to a magic land', '一个被龙卷风带到魔法国度的女孩', 1939),
  movie('King Kong', '金刚', 'a giant ape taken to a big city', '一只被带到大城市的巨猿', 1933),
  movie('Ratatouille', '料理鼠王', 'a rat who dreams of being a chef', '一只梦想成为厨师的老鼠', 2007),
  movie('Kung Fu Panda', '功夫熊猫', 'a panda who learns kung fu', '一只学功夫的熊猫', 2008),
  movie('Avatar', '阿凡达', 'a man who joins the blue people of another planet', '一个加入外星球蓝色族人的男人', 2009),
  movie('Star Wars', '星球大战', 'a young farmer who fights an evil empire in space', '一个在太空中对抗邪恶帝国的年轻农夫', 1977),
  movie('Mulan', '花木兰', 'a young woman who joins the army in place of her father', '一位替父从军的年轻女子', 1998),
  movie('Cinderella', '灰姑娘', 'a kind girl who goes to a royal ball', '一个去参加王宫舞会的善良女孩', 1950),
  movie('Home Alone', '小鬼当家', 'a boy left at home alone who stops two thieves', '一个独自在家并赶走两个小偷的男孩', 1990),
];

/**
 * Short first names for invented people (en, zh). "John" is deliberately absent: the assistant's own name in
 * the SFT seed examples ("My name is John.") must not collide with a person of the world.
 */
export const PERSON_NAMES: [string, string][] = [
  ['Ana', '安娜'], ['Bo', '波'], ['Li Wei', '李伟'], ['Tom', '汤姆'], ['Mia', '米娅'], ['Sam', '萨姆'],
  ['Kai', '凯'], ['Eva', '伊娃'], ['Max', '马克斯'], ['Zoe', '佐伊'], ['Leo', '利奥'], ['Ada', '艾达'],
  ['Ben', '本'], ['Ivy', '艾薇'], ['Lily', '莉莉'], ['Jack', '杰克'], ['Amy', '艾米'], ['Dan', '丹'],
  ['Eli', '伊莱'], ['Finn', '芬恩'], ['Hana', '哈娜'], ['Ian', '伊恩'], ['Kim', '金'], ['Lou', '卢'],
  ['Mo', '莫'], ['Ned', '内德'], ['Ola', '奥拉'], ['Pia', '皮娅'], ['Rex', '雷克斯'], ['Ted', '泰德'],
  ['Uma', '乌玛'], ['Wes', '韦斯'], ['Nina', '妮娜'], ['Omar', '奥马尔'], ['Raj', '拉杰'], ['Yuki', '由纪'],
  ['Sara', '萨拉'], ['Tim', '蒂姆'], ['Wang Fang', '王芳'], ['Zhang Min', '张敏'], ['Chen Jie', '陈杰'],
  ['Liu Yang', '刘洋'], ['Zhao Lei', '赵磊'], ['Xu Li', '徐丽'], ['Hu Bin', '胡斌'], ['Ma Lin', '马林'],
  ['Sun Yu', '孙雨'], ['Gao Fei', '高飞'], ['Lin Na', '林娜'], ['He Tao', '何涛'], ['Ali', '阿里'],
  ['Noa', '诺娅'], ['Luca', '卢卡'], ['Ravi', '拉维'], ['Emma', '艾玛'], ['Joe', '乔'], ['Kate', '凯特'],
  ['Paul', '保罗'], ['Rosa', '罗莎'], ['Hugo', '雨果'], ['Iris', '艾瑞丝'], ['Otto', '奥托'], ['Vera', '薇拉'],
  ['Jin', '晋'],
];

export const JOBS: AttrValue[] = [
  v('teacher', 'teacher', '老师'),
  v('doctor', 'doctor', '医生'),
  v('farmer', 'farmer', '农民'),
  v('baker', 'baker', '面包师'),
  v('pilot', 'pilot', '飞行员'),
  v('nurse', 'nurse', '护士'),
  v('cook', 'cook', '厨师'),
  v('driver', 'driver', '司机'),
  v('painter', 'painter', '画家'),
  v('singer', 'singer', '歌手'),
  v('writer', 'writer', '作家'),
  v('engineer', 'engineer', '工程师'),
  v('dentist', 'dentist', '牙医'),
  v('vet', 'vet', '兽医'),
  v('tailor', 'tailor', '裁缝'),
  v('police-officer', 'police officer', '警察'),
  v('fisher', 'fisher', '渔夫'),
  v('librarian', 'librarian', '图书管理员'),
];

/**
 * Syllables for invented place names (consonant + vowel; no l, which would collide with r in Chinese), each
 * with the character Chinese transliteration uses for it. A final -n is written 恩.
 */
export const SYLLABLES: Record<string, string> = {
  ba: '巴', be: '贝', bi: '比', bo: '波', bu: '布',
  da: '达', de: '德', di: '迪', do: '多', du: '杜',
  fa: '法', fe: '费', fi: '菲', fo: '佛', fu: '富',
  ga: '加', ge: '格', gi: '吉', go: '戈', gu: '古',
  ka: '卡', ke: '克', ki: '基', ko: '科', ku: '库',
  ma: '马', me: '梅', mi: '米', mo: '莫', mu: '穆',
  na: '纳', ne: '内', ni: '尼', no: '诺', nu: '努',
  pa: '帕', pe: '佩', pi: '皮', po: '珀', pu: '普',
  ra: '拉', re: '雷', ri: '里', ro: '罗', ru: '鲁',
  sa: '萨', se: '塞', si: '西', so: '索', su: '苏',
  ta: '塔', te: '特', ti: '提', to: '托', tu: '图',
  va: '瓦', ve: '韦', vi: '维', vo: '沃', vu: '伍',
  za: '扎', ze: '泽', zi: '齐', zo: '佐', zu: '祖',
};

/** Real words and place names an invented name must not be. */
export const NAME_DENYLIST = new Set([
  'peru', 'togo', 'tofu', 'sofa', 'soda', 'tuba', 'sumo', 'pita', 'toga', 'data', 'diva', 'mini', 'memo',
  'menu', 'polo', 'tutu', 'kobo', 'sake', 'saga', 'samba', 'tuna', 'puma', 'koala', 'mafia', 'pizza', 'gala',
  'nano', 'dodo', 'kudo', 'judo', 'fini', 'dino', 'rumba', 'mocha', 'bingo', 'ban', 'bin', 'bun', 'den',
  'din', 'don', 'dun', 'fan', 'fin', 'fun', 'gin', 'gun', 'kin', 'man', 'men', 'pan', 'pen', 'pin', 'pun',
  'ran', 'run', 'sin', 'son', 'sun', 'tan', 'ten', 'tin', 'ton', 'tun', 'van', 'zen', 'bon', 'ron', 'pon',
  'mon', 'non', 'nun', 'ken', 'kan', 'fen', 'gen', 'ren', 'sen', 'ven',
  'roma', 'rome', 'kobe', 'rabat', 'riga', 'sana', 'lima', 'kenya', 'mali', 'fiji', 'samoa', 'tonga',
  'nara', 'osaka', 'kuba', 'poza', 'mira', 'nika', 'nike', 'zara', 'gucci', 'ferrari', 'sony', 'toro',
]);

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

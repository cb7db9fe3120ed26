"""Length-preserving text normalisation for plan extraction: traditional -> simplified characters and
full-width -> half-width letters, digits and brackets, one character for one (so a span found in the
normalised text is the same span in the file's text), and the name key used to compare place names."""

from __future__ import annotations

import re

# Traditional characters that occur in emergency-management plans and place names (one to one).
_TRAD = (
    "縣县鎮镇鄉乡區区園园庫库場场礦矿廠厂災灾險险測测監监隊队應应設设備备衛卫與与為为劃划體体華华"
    "壩坝溝沟灣湾嶺岭巖岩橋桥樑梁錢钱億亿萬万幾几個个處处臺台套套務务點点線线網网電电話话訊讯號号"
    "際际關关開开發发動动機机車车運运輸输達达邊边過过還还進进選选連连構构築筑護护氣气雲云陽阳陰阴"
    "淺浅溫温濕湿滅灭燈灯熱热營营環环現现產产畫画當当療疗發发盡尽監监盤盘碼码礎础確确禦御禮礼種种"
    "積积窩窝穩稳競竞範范節节糧粮紅红級级納纳紙纸組组細细終终結结給给統统絡络綜综維维綠绿總总緊紧"
    "線线編编練练縮缩繼继續续罰罚義义習习聯联聲声職职肅肃脅胁臨临興兴舊旧艙舱莊庄藥药蘇苏處处號号"
    "蟲虫術术衝冲補补裝装製制複复規规視视覽览觀观計计訂订記记許许設设診诊評评試试詳详誌志認认語语"
    "說说調调請请諸诸謀谋護护讓让豐丰貧贫責责貯贮資资質质購购賽赛趕赶路路踐践車车軍军輕轻載载輔辅"
    "農农邊边鄰邻醫医釋释重重鋼钢錄录鍵键鐵铁長长門门閘闸閱阅隊队階阶隨随險险隱隐雞鸡離离難难電电"
    "靈灵順顺預预領领頻频題题顏颜風风飛飞館馆馬马駐驻驗验體体魚鱼鳥鸟鹽盐龍龙龜龟寧宁實实寶宝專专"
    "將将對对導导屬属層层峽峡嶽岳帶带師师廣广庫库廳厅彈弹徑径從从態态慶庆戶户擁拥擴扩據据攜携敵敌"
    "數数斷断舊旧時时書书會会東东條条來来極极樓楼標标樣样權权歷历歲岁殘残氣气漢汉溝沟滬沪滯滞漲涨"
    "潰溃瀾澜災灾無无煙烟爭争獎奖環环瑪玛產产畢毕異异療疗發发礙碍禍祸稅税稱称窯窑範范簡简糾纠紀纪"
    "約约紹绍經经綫线緩缓縣县罷罢羅罗聖圣肅肃脈脉腦脑蘭兰蓋盖蔭荫蕭萧藍蓝處处衆众裏里覆覆訓训"
    "訪访證证識识議议變变貨货費费賠赔質质趨趋轄辖辦办遷迁遺遗鄭郑鍊炼鎖锁鏈链閉闭問问間间闆板陸陆"
    "雜杂雙双雖虽響响頂顶項项須须頭头額额類类飲饮養养餘余驅驱騰腾體体髮发鬆松麼么黨党齊齐齒齿壓压"
    "圍围圖图塊块塗涂墊垫壞坏壯壮夥伙奮奋婦妇嬰婴孫孙寬宽審审嶼屿巒峦幣币廢废彎弯徵征憂忧戰战撥拨"
    "擊击擔担擬拟擺摆攔拦敗败鬥斗暫暂歸归殲歼氾泛汙污沖冲決决況况洶汹淚泪渦涡測测湧涌滙汇滲渗漁渔"
    "漬渍潛潜澀涩濱滨瀏浏灑洒爐炉牆墙狀状獨独獲获瑤瑶畝亩療疗瘧疟礦矿穀谷窮穷糧粮緝缉縱纵繩绳纜缆"
    "脫脱艦舰葉叶蒼苍蔣蒋藏藏處处蟻蚁術术衛卫襲袭覈核訴诉詢询該该誘诱諮咨謝谢豬猪賬账躍跃軌轨較较"
    "輛辆轉转辭辞遙遥選选遠远適适釐厘鋪铺錯错鍋锅鑽钻閩闽闖闯陣阵陳陈隴陇雋隽韌韧韓韩顧顾飄飘饑饥"
    "駕驾騎骑鬧闹魯鲁鵬鹏麥麦黃黄點点龐庞綦綦蒞莅壇坛濟济瀘泸潼潼渝渝蓄蓄峯峰堤堤碼码"
    "鶴鹤鳳凤廟庙閣阁樺桦楊杨劉刘張张趙赵馮冯譚谭鄧邓蕭萧萬万蘆芦蓮莲濤涛滄沧壩坝鋪铺鎮镇嶺岭"
    "灘滩澗涧瀝沥潤润渾浑滸浒漿浆鑼锣銅铜鉛铅鋁铝錫锡鎢钨"
    "霧雾嶇岖巔巅礫砾擋挡垻坝隄堤鑛矿閒闲澇涝漬渍窪洼濘泞氾泛颱台堿碱堰堰渠渠塢坞紮扎"
)
_T2S = {ord(_TRAD[i]): _TRAD[i + 1] for i in range(0, len(_TRAD) - 1, 2) if _TRAD[i] != _TRAD[i + 1]}
_FULL = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # ！..～ -> !..~
_FULL.update({0x3000: 0x20, 0x3014: ord("〔"), 0x3015: ord("〕")})
_FULL.pop(0xFF0C, None)  # keep the full-width comma: it separates clauses, not words
_TABLE = {**_FULL, **_T2S}
# Longer forms of a place's name that mean the same place (the office of a 街道, the government of a 镇).
ALIASES = (("街道办事处", "街道"), ("办事处", "街道"), ("人民政府", ""), ("政府", ""), ("居民委员会", "社区"), ("居委会", "社区"),
           ("村民委员会", "村"), ("村委会", "村"), ("流域", ""), ("大坝", ""), ("场镇", "镇"))
# Endings of place names, stripped one after another for the key (双河水库 -> 双河, 桂阳街道 -> 桂阳).
_NAME_SUFFIX = re.compile(r"(街道|社区|镇|乡|村|县|区|水库|河|江|沟|溪|湖|山|林场|工程|项目|建设)$")
_NOISE = re.compile(r"[\s\"'“”‘’《》()（）【】\[\]·、,，。:：;；*#\-—~～]+")  # the hyphen escaped: not a range


def normalize(text: str) -> str:
    """``text`` with traditional characters simplified and full-width ASCII made half-width (same length)."""
    return text.translate(_TABLE)


def name_key(name: str) -> str:
    """The key two names are compared by: normalised (繁->简, full/half width), without spaces and
    punctuation, long forms made short (街道办事处 -> 街道, 人民政府 dropped) and place endings stripped
    while two characters are left (双河水库 -> 双河, 新民镇 -> 新民, 长江 stays)."""
    s = _NOISE.sub("", normalize(name))
    for long_, short in ALIASES:
        if s.endswith(long_) and len(s) > len(long_) + 1:
            s = s[: -len(long_)] + short
            break
    while (m := _NAME_SUFFIX.search(s)) and len(s) - len(m.group()) >= 2:
        s = s[: m.start()]
    return s

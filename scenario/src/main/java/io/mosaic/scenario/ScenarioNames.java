package io.mosaic.scenario;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The Japanese vocabulary of the reference scenario. */
public final class ScenarioNames {

    private ScenarioNames() {
    }

    /** A name in kanji with its reading in katakana and in (Hepburn, no macrons) romaji. */
    public record Name(String kanji, String kana, String romaji) {
    }

    /** 40 common family names. */
    public static final List<Name> FAMILY_NAMES = List.of(
            new Name("佐藤", "サトウ", "sato"),
            new Name("鈴木", "スズキ", "suzuki"),
            new Name("高橋", "タカハシ", "takahashi"),
            new Name("田中", "タナカ", "tanaka"),
            new Name("伊藤", "イトウ", "ito"),
            new Name("渡辺", "ワタナベ", "watanabe"),
            new Name("山本", "ヤマモト", "yamamoto"),
            new Name("中村", "ナカムラ", "nakamura"),
            new Name("小林", "コバヤシ", "kobayashi"),
            new Name("加藤", "カトウ", "kato"),
            new Name("吉田", "ヨシダ", "yoshida"),
            new Name("山田", "ヤマダ", "yamada"),
            new Name("佐々木", "ササキ", "sasaki"),
            new Name("山口", "ヤマグチ", "yamaguchi"),
            new Name("松本", "マツモト", "matsumoto"),
            new Name("井上", "イノウエ", "inoue"),
            new Name("木村", "キムラ", "kimura"),
            new Name("林", "ハヤシ", "hayashi"),
            new Name("斎藤", "サイトウ", "saito"),
            new Name("清水", "シミズ", "shimizu"),
            new Name("山崎", "ヤマザキ", "yamazaki"),
            new Name("森", "モリ", "mori"),
            new Name("池田", "イケダ", "ikeda"),
            new Name("橋本", "ハシモト", "hashimoto"),
            new Name("阿部", "アベ", "abe"),
            new Name("石川", "イシカワ", "ishikawa"),
            new Name("山下", "ヤマシタ", "yamashita"),
            new Name("中島", "ナカジマ", "nakajima"),
            new Name("石井", "イシイ", "ishii"),
            new Name("小川", "オガワ", "ogawa"),
            new Name("前田", "マエダ", "maeda"),
            new Name("岡田", "オカダ", "okada"),
            new Name("長谷川", "ハセガワ", "hasegawa"),
            new Name("藤田", "フジタ", "fujita"),
            new Name("後藤", "ゴトウ", "goto"),
            new Name("近藤", "コンドウ", "kondo"),
            new Name("村上", "ムラカミ", "murakami"),
            new Name("遠藤", "エンドウ", "endo"),
            new Name("青木", "アオキ", "aoki"),
            new Name("坂本", "サカモト", "sakamoto"));

    /** 40 given names, half usually male, half usually female. */
    public static final List<Name> GIVEN_NAMES = List.of(
            new Name("太郎", "タロウ", "taro"),
            new Name("次郎", "ジロウ", "jiro"),
            new Name("健太", "ケンタ", "kenta"),
            new Name("翔太", "ショウタ", "shota"),
            new Name("大輔", "ダイスケ", "daisuke"),
            new Name("拓也", "タクヤ", "takuya"),
            new Name("直樹", "ナオキ", "naoki"),
            new Name("誠", "マコト", "makoto"),
            new Name("浩", "ヒロシ", "hiroshi"),
            new Name("隆", "タカシ", "takashi"),
            new Name("健一", "ケンイチ", "kenichi"),
            new Name("和也", "カズヤ", "kazuya"),
            new Name("達也", "タツヤ", "tatsuya"),
            new Name("亮", "リョウ", "ryo"),
            new Name("蓮", "レン", "ren"),
            new Name("悠斗", "ユウト", "yuto"),
            new Name("陽翔", "ハルト", "haruto"),
            new Name("大翔", "ヒロト", "hiroto"),
            new Name("翼", "ツバサ", "tsubasa"),
            new Name("修", "オサム", "osamu"),
            new Name("花子", "ハナコ", "hanako"),
            new Name("陽子", "ヨウコ", "yoko"),
            new Name("恵子", "ケイコ", "keiko"),
            new Name("裕子", "ユウコ", "yuko"),
            new Name("美咲", "ミサキ", "misaki"),
            new Name("愛", "アイ", "ai"),
            new Name("さくら", "サクラ", "sakura"),
            new Name("結衣", "ユイ", "yui"),
            new Name("陽菜", "ヒナ", "hina"),
            new Name("葵", "アオイ", "aoi"),
            new Name("真由美", "マユミ", "mayumi"),
            new Name("直美", "ナオミ", "naomi"),
            new Name("明美", "アケミ", "akemi"),
            new Name("由美子", "ユミコ", "yumiko"),
            new Name("千尋", "チヒロ", "chihiro"),
            new Name("彩", "アヤ", "aya"),
            new Name("麻衣", "マイ", "mai"),
            new Name("香織", "カオリ", "kaori"),
            new Name("美穂", "ミホ", "miho"),
            new Name("智子", "トモコ", "tomoko"));

    private static final Map<String, Name> FAMILY_BY_KANJI =
            FAMILY_NAMES.stream().collect(Collectors.toUnmodifiableMap(Name::kanji, Function.identity()));
    private static final Map<String, Name> GIVEN_BY_KANJI =
            GIVEN_NAMES.stream().collect(Collectors.toUnmodifiableMap(Name::kanji, Function.identity()));

    /** The ten standard departments; a company with n departments has the first n. */
    public static final List<String> DEPARTMENTS = List.of(
            "開発部", "営業部", "人事部", "経理部", "総務部",
            "企画部", "品質保証部", "法務部", "広報部", "情報システム部");

    /** Qualifications an employee may hold. */
    public static final List<String> QUALIFICATIONS = List.of(
            "衛生管理者",
            "基本情報技術者",
            "応用情報技術者",
            "情報セキュリティマネジメント",
            "簿記2級",
            "簿記3級",
            "TOEIC 800",
            "TOEIC 900",
            "社会保険労務士",
            "中小企業診断士",
            "宅地建物取引士",
            "ファイナンシャル・プランニング技能士2級",
            "普通自動車第一種運転免許",
            "秘書検定2級",
            "第二種電気工事士");

    /** Survey kinds; the title is "<year>年<上期|下期> <kind>". */
    static final List<String> SURVEY_KINDS = List.of("エンゲージメント調査", "従業員満足度調査", "ストレスチェック");

    /** Free-text comments of answers in good condition. */
    static final List<String> GOOD_COMMENTS = List.of(
            "チームの雰囲気はとても良いです。",
            "今の仕事に満足しています。",
            "新しいプロジェクトにやりがいを感じています。",
            "上司との面談が役に立っています。",
            "研修の機会が増えると嬉しいです。");

    /** Free-text comments of answers in caution condition. */
    static final List<String> CAUTION_COMMENTS = List.of(
            "業務量が多く、少し疲れを感じています。",
            "評価制度についてもっと説明がほしいです。",
            "在宅勤務の日数を増やしてほしいです。",
            "会議が多くて作業時間が足りません。");

    /** Free-text comments of answers in danger condition. */
    static final List<String> DANGER_COMMENTS = List.of(
            "残業が続いていて不安です。",
            "職場の人間関係に悩んでいます。",
            "体調がすぐれない日が増えました。",
            "異動を考えています。");

    /** The family name with this kanji, if it is one of {@link #FAMILY_NAMES}. */
    public static Optional<Name> familyName(String kanji) {
        return Optional.ofNullable(FAMILY_BY_KANJI.get(kanji));
    }

    /** The given name with this kanji, if it is one of {@link #GIVEN_NAMES}. */
    public static Optional<Name> givenName(String kanji) {
        return Optional.ofNullable(GIVEN_BY_KANJI.get(kanji));
    }

    /** The name of the n-th (0-based) department of a company: 開発部 ... 情報システム部, then 開発第2部 ... */
    public static String department(int index) {
        String base = DEPARTMENTS.get(index % DEPARTMENTS.size());
        int round = index / DEPARTMENTS.size();
        if (round == 0) {
            return base;
        }
        // 開発部 -> 開発第2部
        return base.substring(0, base.length() - 1) + "第" + (round + 1) + "部";
    }
}

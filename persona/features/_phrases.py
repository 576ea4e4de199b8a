"""The words that steer the lexicon scorer's reading, per language: pure data.

Cue words (negations, hedges, intensifiers, diminishers, contrasts,
concessions), the phrases read as one (``"never again"``, ``"non vedo l'ora"``)
and the emoji and emoticons, each with its emotions and valence. The rules
that use them are in :mod:`persona.features._reading`; the lexicons they sit
on are built in :mod:`persona.features._lexicons`. This module imports nothing;
a language's lists are read when its lexicon is first built.
"""

__all__ = ["CONCESSION_PAIRS", "CUES", "EMOJI", "PAIRS"]

# Words that steer the words around them, per language. Negations flip what follows
# within three words; intensifiers and diminishers scale the next sentiment word;
# contrast words weigh what follows more than what came before.
CUES = {
    "en": {
        "negation": "not no never none nothing nobody nowhere neither nor without cannot cant "
        "dont didnt doesnt isnt wasnt werent arent wont wouldnt couldnt shouldnt havent hasnt "
        "hadnt aint",
        "hedge": "hardly barely could should",
        "boost": "very so really extremely super totally absolutely incredibly truly "
        "completely utterly too such highly most damn bloody insanely seriously",
        "damp": "slightly somewhat little bit kinda kind sort fairly rather almost partly "
        "quite pretty",
        "contrast": "but however",
        "reliable": "never",
        "concession": "although albeit",
    },
    "it": {
        "negation": "non mai no né ne nessuno nessuna nessun niente nulla senza nn mica "
        "neanche nemmeno neppure",
        "hedge": "poco potrebbe poteva potevano dovrebbe doveva avrebbe",
        "boost": "molto davvero veramente troppo super proprio tanto tantissimo "
        "assolutamente estremamente completamente totalmente altamente parecchio così cosi "
        "talmente stra",
        "damp": "abbastanza piuttosto po leggermente quasi appena",
        "contrast": "ma però pero tuttavia eppure peccato invece",
        "reliable": "mai",
        "concession": "sebbene benché benche nonostante malgrado seppure seppur",
    },
}
CONCESSION_PAIRS = {
    "en": frozenset({("even", "though"), ("even", "if")}),
    "it": frozenset({("anche", "se"), ("anche", "quando"), ("pur", "essendo")}),
}
# Pairs read as one: the second word's entry, with the pair's emotions and valence, and a
# negation before the first word does not flip it ("never again" is not a negated "again").
PAIRS = {
    "en": {
        ("never", "again"): ("anger:1,sadness:0.4", -2.5),
        ("buy", "again"): ("trust:1", 1.8),
        ("order", "again"): ("trust:1", 1.8),
        ("shop", "again"): ("trust:1", 1.8),
        ("come", "back"): ("trust:0.8", 1.2),
        ("looking", "forward"): ("anticipation:1.2", 1.5),
        ("look", "forward"): ("anticipation:1.2", 1.5),
        ("cant", "wait"): ("anticipation:1.3", 1.6),
        ("can't", "wait"): ("anticipation:1.3", 1.6),
        ("cannot", "wait"): ("anticipation:1.3", 1.6),
        ("let", "down"): ("sadness:1", -1.8),
        ("me", "down"): ("sadness:1", -1.8),
        ("count", "on"): ("trust:1.2", 1.8),
        ("going", "back"): ("trust:0.6", 1.0),
        ("took", "forever"): ("anger:1", -1.8),
        ("takes", "forever"): ("anger:1", -1.8),
        ("fingers", "crossed"): ("fear:0.8,anticipation:0.5", 0.0),
        ("counting", "down"): ("anticipation:1.2", 1.0),
        ("ready", "to"): ("anticipation:0.8", 0.5),
        ("spot", "on"): ("trust:1", 2.0),
        ("no", "reply"): ("anger:1", -1.5),
        ("no", "response"): ("anger:1", -1.5),
        ("no", "answer"): ("anger:1", -1.5),
        ("gone", "downhill"): ("sadness:1", -2.0),
        ("fell", "apart"): ("sadness:0.6,disgust:0.5", -2.0),
        ("falling", "apart"): ("sadness:0.6,disgust:0.5", -2.0),
        ("fed", "up"): ("anger:1", -2.0),
        ("rip", "off"): ("anger:1", -2.2),
        ("no", "problem"): ("trust:0.4", 1.0),
        ("no", "issues"): ("trust:0.5", 1.0),
        ("as", "described"): ("trust:0.8", 1.3),
        ("well", "done"): ("joy:0.6,trust:0.4", 2.0),
        ("thank", "you"): ("trust:0.4,joy:0.4", 1.8),
        ("what", "a"): ("-", 0.0),
        ("where", "is"): ("fear:0.3,anger:0.2", -0.3),
        ("still", "waiting"): ("anger:1", -1.5),
        ("than", "expected"): ("surprise:1", 1.0),
        ("didnt", "know"): ("surprise:0.8", 0.0),
        ("cant", "believe"): ("surprise:1", 0.5),
        ("can't", "believe"): ("surprise:1", 0.5),
        ("who", "knew"): ("surprise:1", 0.8),
        ("since", "when"): ("surprise:0.8", -0.3),
        ("see", "that", "coming"): ("surprise:1", 0.0),
        ("cant", "fault"): ("trust:1", 2.0),
        ("never", "been"): ("-", 0.0),  # "never been so insulted": no negation
        ("dead", "easy"): ("joy:0.5", 2.0),
        ("nothing", "special"): ("-", -0.5),
        ("nothing", "amazing"): ("-", -0.5),
        ("nothing", "more"): ("-", 0.0),
        ("losing", "faith"): ("sadness:1", -1.8),
        ("oh", "great"): ("anger:0.6", -1.0),  # "Oh great, another missed delivery"
        ("over", "the", "moon"): ("joy:1.2", 3.0),
        ("daylight", "robbery"): ("anger:1", -2.4),
        ("blown", "away"): ("surprise:1,joy:0.5", 2.0),
        ("left", "out"): ("sadness:1", -1.5),
        ("how", "dare"): ("anger:1.2", -2.4),
        ("counting", "the", "days"): ("anticipation:1.2", 1.5),
        ("cheers", "for", "nothing"): ("anger:1", -2.0),
        ("given", "up"): ("sadness:1", -1.8),
        ("gave", "up"): ("sadness:1", -1.8),
        ("hit", "and", "miss"): ("-", -0.5),
        ("just", "great"): ("anger:0.8", -1.5),
        ("lost", "faith"): ("sadness:1", -1.8),
        ("can't", "fault"): ("trust:1", 2.0),
    },
    "it": {
        ("mai", "più"): ("anger:1,sadness:0.4", -2.5),
        ("mai", "piu"): ("anger:1,sadness:0.4", -2.5),
        ("vedo", "ora"): ("anticipation:1.3", 1.6),
        ("presa", "giro"): ("anger:1", -2.2),
        ("presi", "giro"): ("anger:1", -2.2),
        ("nessun", "problema"): ("trust:0.4", 1.0),
        ("nessuna", "problema"): ("trust:0.4", 1.0),
        ("come", "descritto"): ("trust:0.8", 1.3),
        ("fa", "schifo"): ("disgust:1.2", -3.0),
        ("fanno", "schifo"): ("disgust:1.2", -3.0),
        ("mi", "fido"): ("trust:1.2", 1.8),
        ("ci", "fido"): ("trust:1.2", 1.8),
        ("tornerò", "sicuramente"): ("trust:1", 2.0),
        ("di", "nuovo"): ("anger:0.4", 0.0),
        ("ancora", "niente"): ("anger:1", -1.5),
        ("dove", "è"): ("fear:0.3,anger:0.2", -0.3),
        ("oltre", "aspettative"): ("surprise:1,joy:0.6", 2.2),
        ("che", "bello"): ("joy:1", 2.4),
        ("mamma", "mia"): ("surprise:1", 0.0),
        ("per", "fortuna"): ("joy:0.4", 1.2),
        ("non", "vedo"): ("-", 0.0),
        ("mi", "fa"): ("-", 0.0),
        ("non", "risponde"): ("anger:1", -1.6),
        ("nessuna", "risposta"): ("anger:1", -1.6),
        ("ci", "conto"): ("trust:1", 1.5),
        ("dita", "incrociate"): ("fear:0.8,anticipation:0.5", 0.0),
        ("non", "funziona"): ("anger:0.6", -1.5),
        ("va", "bene"): ("-", 0.8),
        ("così", "così"): ("-", -0.3),
        ("cosi", "cosi"): ("-", -0.3),
        ("presa", "in", "giro"): ("anger:1", -2.2),
        ("preso", "in", "giro"): ("anger:1", -2.2),
        ("presi", "in", "giro"): ("anger:1", -2.2),
        ("prese", "in", "giro"): ("anger:1", -2.2),
        ("prendete", "in", "giro"): ("anger:1", -2.2),
        ("non", "ci", "credo"): ("surprise:1", 0.5),
        ("non", "lo", "sapevo"): ("surprise:0.8", 0.0),
        ("bocca", "aperta"): ("surprise:1.1", 0.8),
        ("non", "ne", "posso"): ("anger:1", -2.0),
        ("nn", "ne", "posso"): ("anger:1", -2.0),
        ("che", "palle"): ("anger:1", -2.0),
        ("mi", "girano"): ("anger:1", -2.0),
        ("le", "braccia"): ("sadness:1", -2.0),  # "mi cascano le braccia"
        ("da", "matti"): ("anger:1", -2.0),  # "roba da matti"
        ("dalla", "voglia"): ("anticipation:1.2", 1.5),  # "muoio dalla voglia"
        ("siete", "seri"): ("anger:1", -1.8),  # "ma siete seri?"
        ("niente", "di", "che"): ("-", -0.8),
        ("senza", "storie"): ("trust:0.6", 1.2),
        ("prendendo", "in", "giro"): ("anger:1", -2.2),
        ("per", "scemi"): ("anger:1", -2.0),
        ("per", "stupidi"): ("anger:1", -2.0),
        ("per", "fessi"): ("anger:1", -2.0),
        ("a", "piedi"): ("sadness:0.6,anger:0.4", -1.8),  # "lasciato a piedi"
        ("perdendo", "la", "fiducia"): ("sadness:1", -1.8),
        ("perso", "la", "fiducia"): ("sadness:1", -1.8),
        ("può", "contare"): ("trust:1", 1.8),
        ("puo", "contare"): ("trust:1", 1.8),
        ("può", "fidare"): ("trust:1.2", 1.8),
        ("puo", "fidare"): ("trust:1.2", 1.8),
        ("grazie", "eh"): ("anger:1", -1.8),  # thanks said through the teeth
        ("tante", "eh"): ("anger:1", -1.8),
        ("comodo", "eh"): ("anger:1", -1.8),
        ("niente", "di", "speciale"): ("-", -0.5),
        ("niente", "di", "eccezionale"): ("-", -0.5),
    },
}
# Emoji and emoticons, whatever the language: emotions and valence (VADER's scale).
EMOJI = {
    "😀": ("joy:1", 2.3), "😃": ("joy:1", 2.3), "😄": ("joy:1", 2.4), "😁": ("joy:1", 2.3),
    "😆": ("joy:1", 2.2), "😊": ("joy:1", 2.3), "☺": ("joy:1", 2.2), "🙂": ("joy:0.6", 1.5),
    "😍": ("joy:1.2", 2.8), "🥰": ("joy:1.2", 2.8), "😘": ("joy:1", 2.4), "😻": ("joy:1.1", 2.6),
    "🤩": ("joy:1,surprise:0.5", 2.7), "🎉": ("joy:1", 2.3), "🥳": ("joy:1", 2.4),
    "❤": ("joy:1", 2.7), "💕": ("joy:1", 2.6), "💖": ("joy:1", 2.6), "💗": ("joy:1", 2.6),
    "💓": ("joy:1", 2.5), "💞": ("joy:1", 2.5), "💯": ("joy:0.6,trust:0.5", 2.2),
    "👏": ("joy:0.7,trust:0.4", 2.0), "🙌": ("joy:1", 2.2), "✨": ("joy:0.7", 1.6),
    "🔥": ("joy:0.7", 1.8), "😂": ("joy:0.9", 1.5), "🤣": ("joy:0.9", 1.5), "🌟": ("joy:0.7", 1.8),
    "⭐": ("joy:0.5", 1.2), "😎": ("joy:0.7", 1.6), "💙": ("joy:1", 2.5), "💚": ("joy:1", 2.5),
    "🧡": ("joy:1", 2.5), "💜": ("joy:1", 2.5), "🖤": ("joy:0.8", 2.0),
    "👍": ("trust:0.8", 2.0), "👌": ("trust:0.8", 1.8), "🙏": ("trust:0.6", 1.5),
    "✅": ("trust:0.9", 1.5), "🤝": ("trust:1", 1.8), "💪": ("trust:0.6,joy:0.3", 1.5),
    "😡": ("anger:1.3", -3.0), "😠": ("anger:1.2", -2.7), "🤬": ("anger:1.4", -3.2),
    "👿": ("anger:1.1", -2.5), "💢": ("anger:1.1", -2.3), "🖕": ("anger:1.2", -3.0),
    "😤": ("anger:1.1", -2.2), "🙃": ("anger:0.4,disgust:0.4", -1.2),
    "🤮": ("disgust:1.4", -3.0), "🤢": ("disgust:1.3", -2.7), "💩": ("disgust:1.1", -2.5),
    "🙄": ("disgust:0.8,anger:0.4", -1.6), "😒": ("disgust:0.7,anger:0.4", -1.6),
    "😢": ("sadness:1.2", -2.2), "😭": ("sadness:1.3", -2.5), "😞": ("sadness:1.1", -2.0),
    "😔": ("sadness:1", -1.8), "😟": ("sadness:0.6,fear:0.5", -1.6), "☹": ("sadness:1", -1.9),
    "🙁": ("sadness:0.9", -1.7), "💔": ("sadness:1.2", -2.4), "😩": ("sadness:0.8,anger:0.3", -2.0),
    "😫": ("sadness:0.8,anger:0.3", -2.0), "😿": ("sadness:1", -2.0), "😕": ("sadness:0.6", -1.2),
    "😱": ("fear:1.2,surprise:0.5", -2.0), "😨": ("fear:1.2", -2.0), "😰": ("fear:1.2", -2.0),
    "😧": ("fear:0.9", -1.5), "😬": ("fear:0.7", -1.0), "😥": ("fear:0.6,sadness:0.6", -1.5),
    "😮": ("surprise:1.2", 0.5), "😲": ("surprise:1.2", 0.5), "🤯": ("surprise:1.3", 0.3),
    "😯": ("surprise:1.1", 0.3), "😳": ("surprise:1", 0.0), "‼": ("surprise:0.5", 0.0),
    "⏳": ("anticipation:1", 0.0), "🤞": ("anticipation:1.1", 0.8), "👀": ("anticipation:0.8", 0.3),
    "👎": ("-", -2.5), "😐": ("-", -0.3), "😑": ("-", -0.5), "🤔": ("-", 0.0),
    ":)": ("joy:0.8", 2.0), ":-)": ("joy:0.8", 2.0), "=)": ("joy:0.8", 2.0),
    ":d": ("joy:1", 2.3), ":-d": ("joy:1", 2.3), "xd": ("joy:0.8", 1.8), ";)": ("joy:0.6", 1.5),
    ":p": ("joy:0.5", 1.2), "<3": ("joy:1", 2.5), ":(": ("sadness:1", -1.9),
    ":-(": ("sadness:1", -1.9), ":'(": ("sadness:1.2", -2.2), ":/": ("sadness:0.5", -1.0),
    ":-/": ("sadness:0.5", -1.0), ":|": ("-", -0.5), ":o": ("surprise:1", 0.3),
}  # fmt: skip

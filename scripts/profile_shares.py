"""Where a py-spy profile's samples go: the share of samples whose stack passes through each part
(a sample may count in several). Input: `py-spy record --format speedscope -o FILE.json`.

    .venv/bin/python scripts/profile_shares.py FILE.json
"""
import json, sys, collections
d = json.load(open(sys.argv[1]))
frames = d["shared"]["frames"]
total = 0; counts = collections.Counter()
keys = {"jsonschema": lambda f: "jsonschema" in f.get("file", ""),
        "_validate_action_result": lambda f: f.get("name") == "_validate_action_result",
        "sqlalchemy (tracker store)": lambda f: "sqlalchemy" in f.get("file", ""),
        "tensorflow": lambda f: "tensorflow" in f.get("file", "") or "keras" in f.get("file", ""),
        "rasa/nlu": lambda f: "rasa/nlu" in f.get("file", ""),
        "rasa/core/policies": lambda f: "rasa/core/policies" in f.get("file", ""),
        "action server HTTP (aiohttp)": lambda f: "aiohttp" in f.get("file", ""),
        "tracker (de)serialisation": lambda f: f.get("name") in ("as_dialogue", "from_dict", "current_state", "events_for_verbatim") ,
        "jieba": lambda f: "jieba" in f.get("file", ""),
        "idle (event loop select)": lambda f: f.get("name") in ("select", "_run_once") and "selectors" in f.get("file", "")}
for prof in d["profiles"]:
    for sample, weight in zip(prof["samples"], prof["weights"]):
        total += weight
        fs = [frames[i] for i in sample]
        for k, test in keys.items():
            if any(test(f) for f in fs):
                counts[k] += weight
for k, v in counts.most_common():
    print(f"{k:35} {100*v/total:5.1f}%")
print("samples", total)

"""Draw the tabBar icons (home, person) at 4x then downsample. Run from miniapp/ with the project venv (Pillow)."""
from PIL import Image, ImageDraw

S = 81 * 4
OUT = "src/static/tabbar"
COLORS = {"": (138, 143, 153, 255), "-active": (52, 81, 178, 255)}

def home(d, c):
    w = 14 * 4 // 2 * 2
    # roof
    d.line([(S*0.16, S*0.48), (S*0.5, S*0.18), (S*0.84, S*0.48)], fill=c, width=w // 2 + 6, joint="curve")
    # body
    d.rounded_rectangle([S*0.26, S*0.44, S*0.74, S*0.84], radius=S*0.06, outline=c, width=w // 2 + 6)
    # door
    d.rounded_rectangle([S*0.43, S*0.62, S*0.57, S*0.84], radius=S*0.03, fill=c)

def person(d, c):
    w = 34
    d.ellipse([S*0.34, S*0.14, S*0.66, S*0.46], outline=c, width=w)
    d.pieslice([S*0.16, S*0.52, S*0.84, S*1.16], start=180, end=360, fill=None, outline=c, width=w)
    d.line([(S*0.16 + w/2, S*0.84), (S*0.84 - w/2, S*0.84)], fill=c, width=w)

for name, fn in {"home": home, "me": person}.items():
    for suffix, color in COLORS.items():
        img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
        fn(ImageDraw.Draw(img), color)
        img = img.resize((81, 81), Image.LANCZOS)
        img.save(f"{OUT}/{name}{suffix}.png", optimize=True)

"""Plan files into text: ``.txt`` (UTF-8 or GB18030, sniffed), ``.docx`` (the document's paragraphs
and table cells, read with zipfile) and text ``.pdf`` (pypdf). Errors name the file by its name only
and say what to do, in Chinese then English."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from geo.errors import SourceReadError

MAX_PLAN_BYTES = 50 * 2**20  # a plan is text: 50 MiB is far above any real one
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SUFFIXES = (".txt", ".docx", ".pdf")


def read_plan(path: Path) -> str:
    """The text of the plan at ``path`` (.txt, .docx or a text .pdf)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SourceReadError(f"{path.name}: 不支持的文件类型 {suffix or '(无后缀)'},请上传 .txt、.docx 或文字版 .pdf / "
                              f"unsupported file type {suffix or '(no suffix)'}; give a .txt, .docx or text .pdf.")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceReadError(f"{path.name}: 文件无法读取 / the file cannot be read ({err.strerror}); check the name "
                              "and that it is a file.") from err
    if len(data) > MAX_PLAN_BYTES:
        raise SourceReadError(f"{path.name}: 文件超过 {MAX_PLAN_BYTES // 2**20} MiB / the file is larger than "
                              f"{MAX_PLAN_BYTES // 2**20} MiB; give the plan's text only.")
    text = {".txt": plan_text_from_bytes, ".docx": docx_text, ".pdf": pdf_text}[suffix](data, name=path.name)
    if not text.strip():
        raise SourceReadError(f"{path.name}: 文件中没有文字(扫描件需先识别为文字)/ the file holds no text (a scanned "
                              "plan must be converted to text first, e.g. by OCR).")
    return text


def plan_text_from_bytes(data: bytes, *, name: str) -> str:
    """Text of a .txt plan: UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return _clean(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise SourceReadError(f"{name}: 文本编码既不是 UTF-8 也不是 GB18030,请另存为 UTF-8 / the text is neither UTF-8 nor "
                          "GB18030; save it as UTF-8 and try again.")


def docx_text(data: bytes, *, name: str) -> str:
    """Text of a .docx: one line per paragraph (table cells are paragraphs too), tabs kept."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > 20 * MAX_PLAN_BYTES:
                raise SourceReadError(f"{name}: 文档内容过大 / the document body is too large to read.")
            root = ElementTree.fromstring(zf.read(info))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as err:
        raise SourceReadError(f"{name}: 不是有效的 Word(.docx)文件,请用 Word 另存为 .docx 或导出为 .txt / not a valid "
                              "Word .docx file; save it again as .docx or export it as .txt.") from err
    lines = []
    for p in root.iter(f"{_W}p"):
        parts = [("\t" if el.tag == f"{_W}tab" else "\n" if el.tag == f"{_W}br" else el.text or "")
                 for el in p.iter() if el.tag in (f"{_W}t", f"{_W}tab", f"{_W}br")]
        lines.append("".join(parts))
    return _clean("\n".join(lines))


def pdf_text(data: bytes, *, name: str) -> str:
    """Text of a text PDF, page after page (a scanned PDF gives no text and is refused by the caller)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SourceReadError(f"{name}: PDF 有密码保护,请提供未加密的文件 / the PDF is password-protected; give an "
                                  "unprotected copy.")
        return _clean("\n".join(page.extract_text() or "" for page in reader.pages))
    except (PdfReadError, ValueError, KeyError, TypeError) as err:
        raise SourceReadError(f"{name}: 不是可读取的 PDF 文件 / not a readable PDF file; export the plan again as PDF "
                              "or as .txt.") from err


def _clean(text: str) -> str:
    """Line ends made ``\\n`` and NUL characters dropped (nothing else: spans refer to this text)."""
    return re.sub(r"\r\n?", "\n", text).replace("\x00", "")

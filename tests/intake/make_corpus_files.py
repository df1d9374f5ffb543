"""Build the .docx and .pdf reports of tests/intake/reports/ (the files are committed).

Run from the project root: `.venv/bin/python -m tests.intake.make_corpus_files`. The PDF is
exported by LibreOffice (`soffice --headless --convert-to pdf`); the tests only read it.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.shared import Pt
from pypdf import PdfWriter

REPORTS = Path(__file__).parent / "reports"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _header(document, issuer: list[str], number: str, place_date: str) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = "\n".join([*issuer, number])
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" + place_date


def _bold(document, text: str) -> None:
    document.add_paragraph().add_run(text).bold = True


def _save(document, name: str) -> Path:
    path = REPORTS / name
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def typed_numbers() -> Path:
    document = docx.Document()
    _header(document, ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ SÓC TRĂNG"], "Số: 118/BC-UBND",
            "Sóc Trăng, ngày 27 tháng 4 năm 2024")
    _bold(document, "BÁO CÁO")
    document.add_paragraph("Tình hình thực hiện nhiệm vụ tháng 4 năm 2024")
    _bold(document, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 4 NĂM 2024")
    document.add_paragraph("Tổ chức thành công Lễ hội Oóc Om Bóc - Đua ghe Ngo cấp thành phố.")
    _bold(document, "II. NHIỆM VỤ TRỌNG TÂM THÁNG 5 NĂM 2024")
    _bold(document, "LĨNH VỰC KINH TẾ")
    document.add_paragraph(
        "1. Tập trung chăm sóc lúa Hè Thu, theo dõi dịch bệnh trên cây trồng; Phòng Kinh tế "
        "chủ trì, phối hợp UBND các phường theo dõi diễn biến thời tiết, xâm nhập mặn."
    )
    document.add_paragraph(
        "2. Đẩy nhanh giải ngân vốn đầu tư công năm 2024, phấn đấu đến ngày 31/5/2024 đạt "
        "trên 40% kế hoạch."
    )
    _bold(document, "LĨNH VỰC VĂN HÓA - XÃ HỘI")
    document.add_paragraph(
        "3. Chuẩn bị tổ chức kỳ thi tốt nghiệp trung học phổ thông năm 2024; kiểm tra công tác "
        "phòng cháy chữa cháy tại các điểm thi trước ngày 20/5/2024."
    )
    document.add_paragraph(
        "4. Trung tâm Y tế thành phố triển khai chiến dịch tiêm chủng mở rộng đợt 2 năm 2024; "
        "phối hợp Phòng Y tế kiểm tra an toàn thực phẩm trong mùa nắng nóng."
    )
    document.add_paragraph("Trên đây là báo cáo tình hình thực hiện nhiệm vụ tháng 4 năm 2024./.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Nơi nhận:\n- UBND tỉnh;\n- Lưu: VT."
    table.rows[0].cells[1].text = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    return _save(document, "05-tp-soc-trang-thang-5-2024.docx")


# Word's automatic numbering: level 0 "1.", level 1 "a)", level 2 "-"; the section heading is
# numbered by a second list in upper-case Roman numbers ("I.", "II.").
NUMBERING = f"""<w:numbering {W}>
  <w:abstractNum w:abstractNumId="10">
    <w:multiLevelType w:val="hybridMultilevel"/>
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
      <w:lvlText w:val="%1."/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
      <w:lvlText w:val="%2)"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="bullet"/>
      <w:lvlText w:val="-"/></w:lvl>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="11">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>
      <w:lvlText w:val="%1."/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="21"><w:abstractNumId w:val="10"/></w:num>
  <w:num w:numId="22"><w:abstractNumId w:val="11"/></w:num>
</w:numbering>"""


def _numbered(document, text: str, num_id: int, level: int = 0, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def automatic_numbering() -> Path:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for child in parse_xml(NUMBERING):
        numbering.append(child)
    _header(document, ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẾN TRE"], "Số: 256/BC-UBND",
            "Bến Tre, ngày 30 tháng 10 năm 2023")
    _bold(document, "BÁO CÁO")
    document.add_paragraph("Kết quả thực hiện nhiệm vụ tháng 10 năm 2023")
    _numbered(document, "KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 10 NĂM 2023", 22, bold=True)
    document.add_paragraph("Thu ngân sách đạt 83% dự toán năm.")
    _numbered(document, "NHIỆM VỤ TRỌNG TÂM THÁNG 11 NĂM 2023", 22, bold=True)
    _numbered(document, "Tăng cường phòng, chống dịch bệnh sốt xuất huyết; Trung tâm Y tế "
                        "thành phố phối hợp UBND các phường, xã tổ chức chiến dịch diệt lăng "
                        "quăng.", 21)
    _numbered(document, "Tổ chức Hội nghị tổng kết công tác cải cách hành chính năm 2023:", 21)
    _numbered(document, "Xây dựng báo cáo tổng kết, trình UBND thành phố trước ngày 20/11/2023.",
              21, 1)
    _numbered(document, "Chuẩn bị khen thưởng tập thể, cá nhân tiêu biểu (Giao Phòng Nội vụ "
                        "chủ trì).", 21, 1)
    _numbered(document, "Lập danh sách đề nghị khen thưởng gửi Hội đồng Thi đua - Khen thưởng.",
              21, 2)
    _numbered(document, "Phòng Tư pháp tổ chức các hoạt động hưởng ứng Ngày Pháp luật Việt Nam "
                        "9/11; hoàn thành trong 10 ngày làm việc kể từ ngày nhận chỉ đạo.", 21)
    document.add_paragraph("Trên đây là báo cáo kết quả thực hiện nhiệm vụ tháng 10 năm 2023./.")
    return _save(document, "06-tp-ben-tre-thang-11-2023-tu-dong-danh-so.docx")


def task_table() -> Path:
    document = docx.Document()
    _header(document, ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ TRÀ VINH"], "Số: 61/BC-UBND",
            "Trà Vinh, ngày 31 tháng 3 năm 2023")
    _bold(document, "BÁO CÁO")
    document.add_paragraph("Tình hình thực hiện nhiệm vụ tháng 3 năm 2023")
    _bold(document, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 3 NĂM 2023")
    document.add_paragraph("Hoàn thành 14/17 nhiệm vụ trọng tâm.")
    _bold(document, "II. MỘT SỐ NHIỆM VỤ TRỌNG TÂM TRONG THÁNG 4/2023")
    rows = [
        ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"),
        ("I", "CÔNG TÁC XÂY DỰNG CƠ BẢN, QUẢN LÝ ĐÔ THỊ", "", "", ""),
        ("1", "Hoàn thành hồ sơ điều chỉnh quy hoạch chi tiết Khu đô thị mới Phường 4",
         "Phòng Quản lý đô thị", "Phòng Tài nguyên và Môi trường\nUBND Phường 4", "28/4/2023"),
        ("2", "Tổ chức ra quân lập lại trật tự vỉa hè các tuyến đường trung tâm",
         "Công an thành phố", "Phòng QLĐT; UBND các phường", "Tháng 4/2023"),
        ("II", "CÔNG TÁC NỘI CHÍNH", "", "", ""),
        ("3", "Tiếp công dân định kỳ, giải quyết đơn thư khiếu nại tồn đọng",
         "Thanh tra thành phố", "Văn phòng HĐND và UBND thành phố", "Thường xuyên"),
        ("4", "Tổng kết 10 năm thi hành Luật Hòa giải ở cơ sở", "Phòng Tư pháp", "",
         "Trong 15 ngày làm việc"),
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for cells, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Trên đây là một số nhiệm vụ trọng tâm trong tháng 4/2023./.")
    return _save(document, "07-tp-tra-vinh-thang-4-2023-bang.docx")


def pdf_source() -> docx.Document:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(11)
    for line in ["ỦY BAN NHÂN DÂN THÀNH PHỐ CÀ MAU", "Số: 233/BC-UBND",
                 "Cà Mau, ngày 30 tháng 8 năm 2024"]:
        document.add_paragraph(line)
    _bold(document, "BÁO CÁO")
    document.add_paragraph("Tình hình thực hiện nhiệm vụ tháng 8 năm 2024")
    _bold(document, "I. KẾT QUẢ THỰC HIỆN")
    document.add_paragraph("Thu ngân sách đạt 68% dự toán; khởi công 4 công trình giao thông.")
    _bold(document, "II. NHIỆM VỤ TRỌNG TÂM THÁNG 9 NĂM 2024")
    document.add_paragraph("1. Chuẩn bị khai giảng năm học 2024 - 2025; Phòng Giáo dục và Đào tạo "
                           "rà soát đội ngũ giáo viên, hoàn thành trước ngày 05/9/2024.")
    document.add_paragraph("2. Triển khai các biện pháp phòng, chống triều cường, sạt lở bờ sông; "
                           "phối hợp UBND các phường, xã di dời hộ dân ở vùng nguy hiểm.")
    document.add_paragraph("3. Giao Phòng Tài chính - Kế hoạch chủ trì, phối hợp Chi cục Thuế "
                           "rà soát các nguồn thu, báo cáo UBND thành phố trong tháng 9/2024.")
    document.add_paragraph("Trên đây là báo cáo tình hình thực hiện nhiệm vụ tháng 8 năm 2024./.")
    return document


def text_pdf() -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to export the PDF.")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "08-tp-ca-mau-thang-9-2024.docx"
        pdf_source().save(source)
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(source)], check=True, capture_output=True, timeout=180)
        target = REPORTS / "08-tp-ca-mau-thang-9-2024.pdf"
        target.write_bytes((Path(tmp) / "08-tp-ca-mau-thang-9-2024.pdf").read_bytes())
    return target


def scanned_pdf() -> Path:
    """A page without a text layer, as a scanner makes (here: blank)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = REPORTS / "bad-scanned-no-text.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    return path


if __name__ == "__main__":
    for build in (typed_numbers, automatic_numbering, task_table, text_pdf, scanned_pdf):
        print(build())

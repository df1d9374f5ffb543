"""Admin forms. Choices for role, unit and kind are filled from the data at request time."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError


class ChoiceField(SelectField):
    """A select whose "not one of the choices" error is in Vietnamese."""

    def pre_validate(self, form: FlaskForm) -> None:
        values = {str(value) for value, _label in (self.choices or [])}
        if self.data is None and "" in values:  # an optional select left out of the post
            self.data = ""
            return
        if str(self.data) not in values:
            raise ValidationError("Giá trị đã chọn không hợp lệ.")


EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")


def _email(_form: FlaskForm, field: StringField) -> None:
    value = (field.data or "").strip()
    if value and not EMAIL_RE.match(value):
        raise ValidationError("Địa chỉ e-mail không hợp lệ.")


class UserForm(FlaskForm):
    full_name = StringField(
        "Họ và tên", validators=[DataRequired("Vui lòng nhập họ và tên."), Length(max=200)]
    )
    title = StringField("Chức vụ", validators=[Optional(), Length(max=120)])
    email = StringField("E-mail", validators=[Optional(), Length(max=200), _email])
    role = ChoiceField("Vai trò", choices=[])
    unit_id = ChoiceField("Đơn vị", choices=[], coerce=str)
    active = BooleanField("Đang hoạt động", default=True)
    version = HiddenField()  # the profile's edit_version the form showed


class NewUserForm(UserForm):
    username = StringField(
        "Tên đăng nhập",
        validators=[
            DataRequired("Vui lòng nhập tên đăng nhập."),
            Length(min=2, max=80, message="Tên đăng nhập dài từ 2 đến 80 ký tự."),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message="Tên đăng nhập chỉ gồm chữ không dấu, số và các ký tự . _ -",
            ),
        ],
    )
    password = PasswordField(
        "Mật khẩu ban đầu",
        validators=[DataRequired("Vui lòng nhập mật khẩu."), Length(max=200)],
        description="Ít nhất 10 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến.",
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "Mật khẩu mới",
        validators=[DataRequired("Vui lòng nhập mật khẩu mới."), Length(max=200)],
        description="Ít nhất 10 ký tự, không chứa tên đăng nhập, không phải mật khẩu phổ biến.",
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[
            DataRequired("Vui lòng nhập lại mật khẩu mới."),
            EqualTo("password", "Hai lần nhập mật khẩu không khớp."),
        ],
    )


class UnitForm(FlaskForm):
    name = StringField(
        "Tên đơn vị", validators=[DataRequired("Vui lòng nhập tên đơn vị."), Length(max=200)]
    )
    kind = ChoiceField("Loại đơn vị", choices=[])
    parent_id = ChoiceField("Đơn vị cấp trên (để nhóm, ví dụ huyện cũ của một xã)", choices=[],
                            coerce=str)
    email = StringField("E-mail nhận nhắc việc", validators=[Optional(), Length(max=200), _email])
    valid_from = StringField(
        "Hoạt động từ ngày", validators=[Optional(), Length(max=20)],
        description="Để trống nếu đơn vị đã có từ trước khi dùng hệ thống (dd/mm/yyyy).",
    )
    ended_on = StringField(
        "Ngừng hoạt động từ ngày", validators=[Optional(), Length(max=20)],
        description="Đơn vị đã được giao việc không xóa được: nhập ngày ngừng hoạt động "
                    "(dd/mm/yyyy); từ ngày đó không giao việc mới cho đơn vị.",
    )
    active = BooleanField("Đang hoạt động", default=True)
    version = HiddenField()


class NewUnitForm(UnitForm):
    code = StringField(
        "Mã đơn vị",
        validators=[
            DataRequired("Vui lòng nhập mã đơn vị."),
            Length(max=20, message="Mã đơn vị tối đa 20 ký tự."),
            Regexp(r"^[A-Za-z0-9_-]+$", message="Mã đơn vị chỉ gồm chữ không dấu, số, _ và -."),
        ],
    )

"""Sub-entry flow of a LinkVisual account: add, edit and check a camera."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ...api import AuthenticationFailed, CameraBridgeError, CannotConnect
from ...api.linkvisual import (
    MAX_DURATION,
    MAX_PRE_RECORD,
    MIN_DURATION,
    Device,
    LinkVisualClient,
    LinkVisualError,
    LinkVisualValidationError,
)
from ..base import InvalidInput
from .const import (
    CONF_DEVICE_NAME,
    CONF_DURATION,
    CONF_IOT_ID,
    CONF_NAME,
    CONF_PRE_RECORD,
    CONF_PRODUCT_KEY,
    CONF_STREAM_TYPE,
    DEFAULT_DURATION,
    DEFAULT_PRE_RECORD,
    DEFAULT_STREAM_TYPE,
)
from .settings import client_from_data


def _number(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
    )


def _camera_schema() -> Any:  # a voluptuous (or probatio) schema
    return vol.Schema(
        {
            vol.Required(CONF_NAME): TextSelector(),
            vol.Optional(CONF_IOT_ID): TextSelector(),
            vol.Optional(CONF_PRODUCT_KEY): TextSelector(),
            vol.Optional(CONF_DEVICE_NAME): TextSelector(),
            vol.Required(CONF_DURATION, default=DEFAULT_DURATION): _number(
                MIN_DURATION, MAX_DURATION
            ),
            vol.Required(CONF_PRE_RECORD, default=DEFAULT_PRE_RECORD): _number(
                0, MAX_PRE_RECORD
            ),
            vol.Required(
                CONF_STREAM_TYPE, default=str(DEFAULT_STREAM_TYPE)
            ): SelectSelector(
                SelectSelectorConfig(
                    options=["0", "1"],
                    translation_key=CONF_STREAM_TYPE,
                    mode=SelectSelectorMode.LIST,
                )
            ),
        }
    )


def _camera_data(user_input: Mapping[str, Any]) -> tuple[str, dict[str, Any], Device]:
    """Title, subentry data and device of a camera form, or InvalidInput."""
    name = str(user_input.get(CONF_NAME) or "").strip()
    if not name:
        raise InvalidInput(CONF_NAME, "required")
    ids = {
        key: str(user_input.get(key) or "").strip()
        for key in (CONF_IOT_ID, CONF_PRODUCT_KEY, CONF_DEVICE_NAME)
    }
    try:
        device = Device(
            iot_id=ids[CONF_IOT_ID] or None,
            product_key=ids[CONF_PRODUCT_KEY] or None,
            device_name=ids[CONF_DEVICE_NAME] or None,
        )
    except LinkVisualValidationError as err:
        raise InvalidInput("base", "device_required") from err
    duration = int(user_input.get(CONF_DURATION, DEFAULT_DURATION))
    pre_record = int(user_input.get(CONF_PRE_RECORD, DEFAULT_PRE_RECORD))
    # the selectors keep both within their ranges
    if pre_record >= duration:
        raise InvalidInput(CONF_PRE_RECORD, "invalid_pre_record")
    stream_type = int(user_input.get(CONF_STREAM_TYPE, DEFAULT_STREAM_TYPE))
    data = {
        **ids,
        CONF_DURATION: duration,
        CONF_PRE_RECORD: pre_record,
        CONF_STREAM_TYPE: stream_type,
    }
    return name, data, device


class CameraSubentryFlow(ConfigSubentryFlow):
    """Add or edit a camera of the account; the account checks the device exists."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a camera."""
        return await self._async_step("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a camera."""
        return await self._async_step(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    def _client(self) -> LinkVisualClient:
        entry = self._get_entry()
        if entry.state is ConfigEntryState.LOADED:
            client: LinkVisualClient = entry.runtime_data.client
            return client
        return client_from_data(self.hass, entry.data)

    async def _async_check(self, device: Device) -> None:
        """One QueryRecord of the last minute: fails for a device the account lacks."""
        now = dt_util.utcnow()
        await self._client().query_record(
            device, now - timedelta(minutes=1), now, page_size=1
        )

    async def _async_step(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        subentry: ConfigSubentry | None,
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        errors: dict[str, str] = {}
        placeholders = {"error": ""}
        if user_input is not None:
            try:
                name, data, device = _camera_data(user_input)
                await self._async_check(device)
            except InvalidInput as err:
                errors[err.field] = err.error
            except AuthenticationFailed:
                errors["base"] = "invalid_auth"
            except CannotConnect:
                errors["base"] = "cannot_connect"
            except LinkVisualError as err:
                errors["base"] = "device_rejected"
                placeholders["error"] = err.message or str(err.code)
            except CameraBridgeError:
                errors["base"] = "invalid_response"
            else:
                for other in entry.subentries.values():
                    if other.unique_id == device.key and (
                        subentry is None or other.subentry_id != subentry.subentry_id
                    ):
                        return self.async_abort(reason="already_configured")
                if subentry is None:
                    return self.async_create_entry(
                        title=name, data=data, unique_id=device.key
                    )
                return self.async_update_and_abort(
                    entry, subentry, title=name, data=data, unique_id=device.key
                )
        if user_input is not None:
            suggested: Mapping[str, Any] = user_input
        elif subentry is not None:
            suggested = {
                **subentry.data,
                CONF_NAME: subentry.title,
                CONF_STREAM_TYPE: str(subentry.data.get(CONF_STREAM_TYPE, 0)),
            }
        else:
            suggested = {}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _camera_schema(), suggested
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

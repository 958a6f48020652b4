"""Config flow of Camera Bridge: a menu of backend kinds, then one form per kind."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import TextSelector, TextSelectorType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .api import AuthenticationFailed, CameraBridgeError, CannotConnect
from .backends import BACKENDS
from .backends.base import BackendSpec, EntryInfo, InvalidInput
from .backends.osc.discovery import (
    DiscoveredCamera,
    NotDiscoverable,
    async_identify as async_identify_osc_camera,
)
from .const import (
    CONF_KIND,
    DOMAIN,
    KIND_LINKVISUAL,
    KIND_OSC,
    KIND_VDG_SENSE,
    KIND_WCS,
)

_LOGGER = logging.getLogger(__name__)


def _without_secrets(schema: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` but those of the schema's password fields.

    A form's suggested values go to the browser: a stored password or key
    secret is never sent there (the field stays empty; an optional one left
    empty keeps the stored value).
    """
    secret = {
        str(key)
        for key, selector in schema.schema.items()
        if isinstance(selector, TextSelector)
        and selector.config.get("type") == TextSelectorType.PASSWORD
    }
    return {key: value for key, value in values.items() if key not in secret}


async def _async_validate(
    flow: ConfigFlow, spec: BackendSpec, data: Mapping[str, Any]
) -> tuple[EntryInfo | None, dict[str, str]]:
    """Run the backend's validation; map failures to form errors."""
    try:
        return await spec.async_validate(flow.hass, data), {}
    except InvalidInput as err:
        return None, {err.field: err.error}
    except AuthenticationFailed:
        return None, {"base": "invalid_auth"}
    except CannotConnect:
        return None, {"base": "cannot_connect"}
    except CameraBridgeError:
        return None, {"base": "invalid_response"}
    except Exception:
        _LOGGER.exception("Unexpected error while validating a %s server", spec.kind)
        return None, {"base": "unknown"}


class CameraBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up, re-authenticate and reconfigure a Camera Bridge backend."""

    VERSION = 1
    MINOR_VERSION = 1

    _discovered: DiscoveredCamera

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user pick the kind of backend."""
        return self.async_show_menu(step_id="user", menu_options=list(BACKENDS))

    async def async_step_wcs(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up a Flashphoner Web Call Server."""
        return await self._async_step_kind(KIND_WCS, user_input)

    async def async_step_osc(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up an OSC 360° camera."""
        return await self._async_step_kind(KIND_OSC, user_input)

    async def async_step_vdg_sense(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up a VDG Sense server."""
        return await self._async_step_kind(KIND_VDG_SENSE, user_input)

    async def async_step_linkvisual(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set up an Alibaba Cloud LinkVisual account."""
        return await self._async_step_kind(KIND_LINKVISUAL, user_input)

    async def _async_step_kind(
        self, kind: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        spec = BACKENDS[kind]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**user_input, CONF_KIND: kind}
            info, errors = await _async_validate(self, spec, data)
            if info is not None:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=info.title, data={**data, **info.data_updates}
                )
        return self.async_show_form(
            step_id=kind,
            data_schema=self.add_suggested_values_to_schema(
                spec.user_schema(), user_input or {}
            ),
            errors=errors,
        )

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """A RICOH THETA announced itself (_osc._tcp); offer it once it answered."""
        try:
            camera = await async_identify_osc_camera(self.hass, discovery_info)
        except NotDiscoverable as err:
            return self.async_abort(reason=err.reason)
        await self.async_set_unique_id(camera.unique_id)
        # a configured camera at a new address follows it
        self._abort_if_unique_id_configured(updates=camera.address)
        self._discovered = camera
        self.context["title_placeholders"] = camera.placeholders
        return await self.async_step_zeroconf_confirm()

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm a discovered camera, with its credentials when it wants them."""
        camera = self._discovered
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_KIND: KIND_OSC, **camera.address, **user_input}
            info, errors = await _async_validate(self, BACKENDS[KIND_OSC], data)
            if info is not None:
                # the identity /osc/info gives once the credentials let us ask
                await self.async_set_unique_id(info.unique_id, raise_on_progress=False)
                self._abort_if_unique_id_configured(updates=camera.address)
                return self.async_create_entry(
                    title=info.title, data={**data, **info.data_updates}
                )
        return self.async_show_form(
            step_id="zeroconf_confirm",
            data_schema=self.add_suggested_values_to_schema(
                camera.confirm_schema(), user_input or camera.suggested
            ),
            errors=errors,
            description_placeholders=camera.placeholders,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Credentials stopped working: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Check the new credentials against the same backend."""
        entry = self._get_reauth_entry()
        spec = BACKENDS[entry.data[CONF_KIND]]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            info, errors = await _async_validate(self, spec, data)
            if info is not None:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry, data={**data, **info.data_updates}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                spec.reauth_schema(), user_input or {}
            ),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address or settings of a backend without losing entities."""
        entry = self._get_reconfigure_entry()
        spec = BACKENDS[entry.data[CONF_KIND]]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            info, errors = await _async_validate(self, spec, data)
            if info is not None:
                await self.async_set_unique_id(info.unique_id)
                if spec.unique_id_follows_address:
                    if info.unique_id != entry.unique_id:
                        self._abort_if_unique_id_configured()
                else:
                    self._abort_if_unique_id_mismatch(reason="wrong_device")
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=info.unique_id,
                    data={**data, **info.data_updates},
                )
        schema = spec.user_schema()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or _without_secrets(schema, entry.data)
            ),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> CameraBridgeOptionsFlow:
        """Options of an entry (poll interval and kind-specific options)."""
        return CameraBridgeOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Sub-entries the entry's backend supports (cameras of an account)."""
        spec = BACKENDS.get(config_entry.data.get(CONF_KIND, ""))
        return dict(spec.subentry_flows) if spec else {}


class CameraBridgeOptionsFlow(OptionsFlowWithReload):
    """Options of an entry; the entry reloads when they change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options form of the entry's backend."""
        spec = BACKENDS[self.config_entry.data[CONF_KIND]]
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                if spec.validate_options is not None:
                    spec.validate_options(user_input)
            except InvalidInput as err:
                errors[err.field] = err.error
            else:
                return self.async_create_entry(data=user_input)
        schema = (
            spec.entry_options_schema(self.config_entry)
            if spec.entry_options_schema is not None
            else spec.options_schema()
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
        )

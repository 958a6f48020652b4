"""A test-only integration of the smoke run: LLM tools over the websocket API.

Home Assistant has no REST or websocket API for LLM tools: conversation
agents call them in-process. ``scripts/smoke`` copies this integration into
the smoke run's configuration directory only (it never ships with Camera
Bridge) so the run can list the Assist API's tools and call them as an LLM
agent of the logged-in user would, through ``llm.async_get_api``.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, llm
from homeassistant.helpers.typing import ConfigType
import probatio as vol

DOMAIN = "smoke_llm"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the two websocket commands."""
    async_register_command(hass, _ws_tools)
    async_register_command(hass, _ws_call_tool)
    return True


async def _api(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> llm.APIInstance:
    context = llm.LLMContext(
        platform=DOMAIN,
        context=connection.context(msg),
        language="en",
        assistant="conversation",
        device_id=None,
    )
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, context)


@websocket_command({vol.Required("type"): "smoke_llm/tools"})
@async_response
async def _ws_tools(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The Assist API's tool names and prompt, as an LLM agent gets them."""
    api = await _api(hass, connection, msg)
    connection.send_result(
        msg["id"],
        {"tools": [tool.name for tool in api.tools], "prompt": api.api_prompt},
    )


@websocket_command(
    {
        vol.Required("type"): "smoke_llm/call_tool",
        vol.Required("tool_name"): str,
        vol.Optional("tool_args", default={}): dict,
    }
)
@async_response
async def _ws_call_tool(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Call one tool through the Assist API; its result."""
    api = await _api(hass, connection, msg)
    result = await api.async_call_tool(
        llm.ToolInput(tool_name=msg["tool_name"], tool_args=msg["tool_args"])
    )
    connection.send_result(msg["id"], {"data": result.data, "error": result.error})
